import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../../src/model/labels.js";
import { Engine } from "../../../src/promql/engine/engine.js";
import { ParseError } from "../../../src/promql/parser/errors.js";
import { ParseCache } from "../../../src/promql/parser/parse_cache.js";
import { parseExpr } from "../../../src/promql/parser/parser.js";
import { createTestEngine, testHooks } from "../../../src/promql/promqltest/engine_adapter.js";
import { runScript, type QueryEngine } from "../../../src/promql/promqltest/runner.js";
import { MemoryStorage } from "../../../src/storage/memory_storage.js";
import { CONFORMANCE_DIR, conformanceFiles, evalCases } from "./conformance_exprs.js";

/** A tree as data: compiled regexes (kept with their source) carry per-instance state. */
function plain(e: unknown): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === "re" ? undefined : v)));
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}

describe("ParseCache", () => {
  it("gives the tree a fresh parse gives, the same one again for the same text", () => {
    const cache = new ParseCache();
    const q = 'max_over_time(rate(http_requests_total{job="api", path=~"/v1/.*"}[1m])[30m:1m] offset 5m)';
    const a = cache.parse(q);
    expect(plain(a)).toEqual(plain(parseExpr(q)));
    expect(cache.parse(q)).toBe(a);
    expect(cache.parse(`${q} `)).not.toBe(a);
  });

  it("hands out frozen trees: a write throws instead of changing the next caller's tree", () => {
    const cache = new ParseCache();
    const e = cache.parse('sum by (job) (rate(x{a="b"}[5m])) > on (job) group_left (c) y');
    if (e.type !== "BinaryExpr" || e.lhs.type !== "AggregateExpr") throw new Error(`unexpected tree ${e.type}`);
    expect(() => ((e as { op: string }).op = "+")).toThrow(TypeError);
    expect(() => e.lhs.type === "AggregateExpr" && e.lhs.grouping.push("instance")).toThrow(TypeError);
    expect(() => e.matching!.include.push("d")).toThrow(TypeError);
    expect(plain(cache.parse('sum by (job) (rate(x{a="b"}[5m])) > on (job) group_left (c) y'))).toEqual(plain(parseExpr('sum by (job) (rate(x{a="b"}[5m])) > on (job) group_left (c) y')));
  });

  it("throws Prometheus' error with its position every time a text fails, and keeps nothing of it", () => {
    const cache = new ParseCache();
    for (const q of ["sum(rate(x[5m])", 'x{a="b"', "rate(x[5m]) + on(", "1 +"]) {
      const want = thrown(() => parseExpr(q)) as ParseError;
      for (let i = 0; i < 2; i++) {
        const got = thrown(() => cache.parse(q));
        expect(got).toBeInstanceOf(ParseError);
        expect([(got as ParseError).message, (got as ParseError).offset]).toEqual([want.message, want.offset]);
      }
    }
  });

  it("keeps the most recently used texts up to its capacity", () => {
    const cache = new ParseCache(2);
    const a = cache.parse("a");
    const b = cache.parse("b");
    expect(cache.parse("a")).toBe(a); // a is now the most recent
    cache.parse("c"); // evicts b
    expect(cache.parse("a")).toBe(a);
    expect(cache.parse("b")).not.toBe(b);
    expect(plain(cache.parse("b"))).toEqual(plain(b));
  });

  it("leaves compiled regexes usable: a cached selector matches as a fresh one does", async () => {
    const st = new MemoryStorage();
    const app = st.appender();
    for (const job of ["api", "apx", "web"]) app.append(labelsFromRecord({ __name__: "x", job }), 0, 1);
    await app.commit();
    const cache = new ParseCache();
    const engine = new Engine();
    for (let i = 0; i < 3; i++) {
      const res = await engine.instantQuery(st.querier(), cache.parse('count(x{job=~"ap.*"})'), 0);
      expect(res.value).toMatchObject({ type: "vector", samples: [{ v: 2 }] });
    }
  });
});

/** Every conformance script run twice through one cache: the second run evaluates
 * trees the first already evaluated (frozen, so any write by the engine would fail
 * the eval), and both must give the plain engine's answers. */
describe("conformance through a parse cache", () => {
  const files = conformanceFiles();
  it.skipIf(files.length === 0)("passes every eval of every script, twice over the same trees", async () => {
    const cache = new ParseCache(100_000);
    const inner = createTestEngine();
    const engine: QueryEngine = {
      instantQuery: async (q, query, t) => inner.instantQuery(q, typeof query === "string" ? cache.parse(query) : query, t),
      rangeQuery: async (q, query, s, e, step) => inner.rangeQuery(q, typeof query === "string" ? cache.parse(query) : query, s, e, step),
    };
    let evals = 0;
    for (let round = 0; round < 2; round++) {
      for (const file of files) {
        const res = await runScript(readFileSync(join(CONFORMANCE_DIR, file), "utf8"), engine, { hooks: testHooks });
        const failures = res.outcomes.filter((o) => o.status !== "passed").map((o) => `${file}:${o.line} ${o.expr}\n  ${o.message}`);
        expect(failures).toEqual([]);
        if (round === 0) evals += res.passed;
      }
    }
    expect(evals).toBe(files.flatMap(evalCases).length);
  }, 120_000);
});
