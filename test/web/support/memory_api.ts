import { Hono } from "hono";
import { exemplarRoutes } from "../../../src/api/exemplar_routes.js";
import { queryRoutes } from "../../../src/api/query_routes.js";
import { labelsFromRecord } from "../../../src/model/labels.js";
import { Engine } from "../../../src/promql/engine/engine.js";
import { parseScript } from "../../../src/promql/promqltest/script.js";
import { MemoryStorage } from "../../../src/storage/memory_storage.js";

export interface FixtureExemplar {
  series: Record<string, string>;
  labels: Record<string, string>;
  /** Milliseconds. */
  t: number;
  v: number;
}

/**
 * The real query and exemplar API over a MemoryStorage filled from promqltest `load`
 * blocks (which can hold native histograms, `{{schema:0 ...}}`, that the SeriesStore
 * does not store yet) and the given exemplars: what the UI's histogram and exemplar
 * views are tested against.
 */
export async function memoryApi(loads: string, exemplars: readonly FixtureExemplar[] = []): Promise<Hono> {
  const storage = new MemoryStorage({ maxExemplars: 10_000 });
  const script = parseScript(loads);
  if (script.errors.length > 0) throw new Error(`load script: ${script.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`);
  const app = storage.appender();
  for (const cmd of script.commands) {
    if (cmd.kind !== "load") continue;
    for (const s of cmd.series) {
      const { values, omitted, histograms } = s.seq;
      for (let i = 0; i < values.length; i++) {
        if (omitted[i]) continue;
        const h = histograms?.[i];
        if (h !== undefined) app.appendHistogram!(s.labels, i * cmd.stepMs, h);
        else app.append(s.labels, i * cmd.stepMs, values[i]!);
      }
    }
  }
  for (const e of exemplars) {
    app.appendExemplar!(labelsFromRecord(e.series), { labels: [...labelsFromRecord(e.labels)], t: e.t, v: e.v });
  }
  const res = await app.commit();
  if (res.rejected > 0) throw new Error(`load: ${res.rejected} samples rejected`);
  const api = new Hono();
  api.route("/api/v1", queryRoutes({ querier: () => storage.querier(), engine: new Engine() }));
  api.route("/api/v1", exemplarRoutes({ querier: () => storage.querier() }));
  return api;
}
