import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTestEngine, testHooks } from "../../src/promql/promqltest/engine_adapter.js";
import { runScript } from "../../src/promql/promqltest/runner.js";

/** edgeprom's own promqltest files (test/promql/testdata), run through the same
 * runner as the upstream conformance files; every eval must pass. */
const dir = join(import.meta.dirname, "testdata");

describe("promqltest files", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".test"))) {
    it(file, async () => {
      const res = await runScript(readFileSync(join(dir, file), "utf8"), createTestEngine(), { hooks: testHooks });
      const failures = res.outcomes.filter((o) => o.status !== "passed").map((o) => `${file}:${o.line} ${o.expr}\n  ${o.message}`);
      expect(failures).toEqual([]);
      expect(res.passed).toBeGreaterThan(5);
    });
  }
});
