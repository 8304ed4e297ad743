import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTestEngine, testHooks } from "../../src/promql/promqltest/engine_adapter.js";
import { runScript, type ScriptResult } from "../../src/promql/promqltest/runner.js";
import { ShardedStorage } from "../../src/storage/sharded_storage.js";
import { SeriesStore } from "../../src/tsdb/series_store.js";
import { freshStore } from "./store_helpers.js";
// promqltest files with native histograms: edgeprom's own and upstream's conformance
// files (../shared, found relative to the repository root; a missing one fails).
import ownNative from "../promql/testdata/native_histograms.test?raw";
import histograms from "../../../shared/conformance/promqltest/histograms.test?raw";
import aggregators from "../../../shared/conformance/promqltest/aggregators.test?raw";
import limit from "../../../shared/conformance/promqltest/limit.test?raw";
import operators from "../../../shared/conformance/promqltest/operators.test?raw";
import rangeQueries from "../../../shared/conformance/promqltest/range_queries.test?raw";
import subquery from "../../../shared/conformance/promqltest/subquery.test?raw";
import functions from "../../../shared/conformance/promqltest/functions.test?raw";

/** Runs a script over SeriesStore shards (a fresh, empty store for the script and for
 * every `clear`), as promqltest runs it over the in-memory storage. promqltest loads
 * samples from 1970, so retention is set far enough back to keep them. */
async function overSeriesStore(script: string): Promise<ScriptResult> {
  let out: ScriptResult | undefined;
  await runInDurableObject(freshStore(), async (_instance, state) => {
    const storeEnv = { ...env, STORAGE_RETENTION: "100000d" } as Env;
    const fresh = () => {
      // Empties the object's tables (not the migrations) and starts a store on them.
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'").toArray();
      for (const t of tables) state.storage.sql.exec(`DELETE FROM "${t.name}"`);
      return new ShardedStorage([new SeriesStore(state, storeEnv)]);
    };
    out = await runScript(script, createTestEngine(), { hooks: testHooks, storage: fresh });
  });
  return out!;
}

const files: [string, string][] = [
  ["test/promql/testdata/native_histograms.test", ownNative],
  ["histograms.test", histograms],
  ["aggregators.test", aggregators],
  ["limit.test", limit],
  ["operators.test", operators],
  ["range_queries.test", rangeQueries],
  ["subquery.test", subquery],
  ["functions.test", functions],
];

describe("promqltest over SeriesStore", () => {
  for (const [name, script] of files) {
    it(`${name} gives the results it gives over the in-memory storage`, { timeout: 300_000 }, async () => {
      const memory = await runScript(script, createTestEngine(), { hooks: testHooks });
      const store = await overSeriesStore(script);
      const summary = (r: ScriptResult) => r.outcomes.map((o) => `${o.line} ${o.status}${o.message === undefined ? "" : ` ${o.message}`}`);
      expect(summary(store)).toEqual(summary(memory));
      expect(store.passed).toBeGreaterThan(10);
    });
  }
});
