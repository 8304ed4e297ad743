import { createTestEngine } from "../../../src/promql/promqltest/engine_adapter.js";
import { describe, expect, it } from "vitest";
import { compareLabels, labelsFromRecord, labelsKey, type Labels } from "../../../src/model/labels.js";
import { newMatcher } from "../../../src/model/matchers.js";
import type { Querier } from "../../../src/storage/storage.js";
import { QueryError, type MatrixSeries, type QueryResult, type Value } from "../../../src/promql/engine/value.js";
import type { Expr } from "../../../src/promql/parser/ast.js";
import { ParseError } from "../../../src/promql/parser/errors.js";
import { atModifierTimes, runScript, type QueryEngine } from "../../../src/promql/promqltest/runner.js";

/** These tests drive the runner (loading, command flow, range-mode cross-check, skips,
 * outcome bookkeeping) with a scripted stand-in for the engine; the engine itself is
 * not under test here. A range query is answered by evaluating the same function at
 * every step, so an engine that is consistent passes the range-mode check. */

type Fn = (q: Querier, query: string, t: number) => Value | Promise<Value>;

const text = (q: string | Expr): string => (typeof q === "string" ? q : `<${q.type}>`);

interface FakeEngine extends QueryEngine {
  calls: string[];
}

function engineOf(fn: Fn, annotations: { warnings?: string[]; infos?: string[] } = {}): FakeEngine {
  const calls: string[] = [];
  const wrap = (value: Value): QueryResult => ({ value, warnings: annotations.warnings ?? [], infos: annotations.infos ?? [] });
  return {
    calls,
    async instantQuery(q, expr, t) {
      const query = text(expr);
      calls.push(`instant ${query} @${t}`);
      return wrap(await fn(q, query, t));
    },
    async rangeQuery(q, expr, start, end, step) {
      const query = text(expr);
      calls.push(`range ${query} ${start}..${end}/${step}`);
      const series = new Map<string, { labels: Labels; ts: number[]; vs: number[] }>();
      for (let t = start; t <= end; t += step) {
        const v = await fn(q, query, t);
        const samples = v.type === "vector" ? v.samples : v.type === "scalar" ? [{ labels: [] as Labels, t, v: v.v }] : [];
        for (const s of samples) {
          const k = labelsKey(s.labels);
          let e = series.get(k);
          if (e === undefined) series.set(k, (e = { labels: s.labels, ts: [], vs: [] }));
          e.ts.push(t);
          e.vs.push(s.v);
        }
      }
      const out: MatrixSeries[] = [...series.values()]
        .sort((a, b) => compareLabels(a.labels, b.labels))
        .map((s) => ({ labels: s.labels, ts: Float64Array.from(s.ts), vs: Float64Array.from(s.vs) }));
      return wrap({ type: "matrix", series: out });
    },
  };
}

/** Every stored series that has a sample exactly at t, with that sample's value. */
const dump: Fn = async (q, _query, t) => {
  const samples = [];
  for await (const s of q.select([newMatcher("=~", "__name__", ".+")], { start: t, end: t })) {
    samples.push({ labels: s.labels, t, v: s.vs[0]! });
  }
  return { type: "vector", samples };
};

const constant =
  (rec: Record<string, string>, v: number): Fn =>
  () => ({ type: "vector", samples: [{ labels: labelsFromRecord(rec), t: 0, v }] });

describe("runScript", () => {
  it("loads samples at multiples of the step, skipping gaps and keeping stale markers", async () => {
    const res = await runScript(
      `load 1m
  a{x="1"} 1 _ 3 stale
  b 0+10x3

eval instant at 0 dump
  a{x="1"} 1
  b 0

eval instant at 1m dump
  b 10

eval instant at 3m dump
  a{x="1"} stale
  b 30

clear

eval instant at 0 dump
`,
      engineOf(dump),
    );
    expect(res.outcomes.map((o) => [o.line, o.status, o.message])).toEqual([
      [5, "passed", undefined],
      [9, "passed", undefined],
      [12, "passed", undefined],
      [18, "passed", undefined],
    ]);
    expect([res.passed, res.failed, res.skipped]).toEqual([4, 0, 0]);
  });

  it("reports a wrong result with the eval's line and expression", async () => {
    const res = await runScript("load 1m\n  b 1\n\neval instant at 0 b\n  b 2\n", engineOf(dump));
    expect(res.outcomes).toEqual([{ line: 4, kind: "eval", expr: "b", status: "failed", message: 'expected 2 for b but got 1' }]);
    expect(res.failed).toBe(1);
  });

  it("cross-checks an instant eval as a range query from t-1m to t+1m", async () => {
    const e = engineOf(constant({ job: "a" }, 1));
    const ok = await runScript('eval instant at 5m x\n  {job="a"} 1\n', e);
    expect(ok.passed).toBe(1);
    expect(e.calls).toEqual(["instant x @300000", "range x 240000..360000/60000"]);

    // An engine whose range answers differ from its instant answer fails in range mode.
    const inconsistent: Fn = (_q, _query, t) => ({ type: "vector", samples: [{ labels: labelsFromRecord({ job: "a" }), t, v: t === 300_000 && _query === "x" ? 1 : 2 }] });
    const eng = engineOf(inconsistent);
    eng.rangeQuery = async (_q, _query, start, end, step) => {
      const ts: number[] = [];
      for (let t = start; t <= end; t += step) ts.push(t);
      return { value: { type: "matrix", series: [{ labels: labelsFromRecord({ job: "a" }), ts: Float64Array.from(ts), vs: Float64Array.from(ts.map(() => 2)) }] }, warnings: [], infos: [] };
    };
    const bad = await runScript('eval instant at 5m x\n  {job="a"} 1\n', eng);
    expect(bad.outcomes[0]!.message).toBe('range mode: expected 1 for {job="a"} but got 2');
  });

  it("compares a scalar's range-mode point as a scalar", async () => {
    const e = engineOf(() => ({ type: "scalar", t: 0, v: 2 }));
    const res = await runScript("eval instant at 1m 1+1\n  2\n", e);
    expect(res.passed).toBe(1);
    expect(e.calls.length).toBe(2);
  });

  it("skips the range-mode check for expect string, expect range vector and start()/end()/range()/step()", async () => {
    const str = engineOf(() => ({ type: "string", t: 0, v: "Foo" }));
    expect((await runScript('eval instant at 50m "Foo"\n  expect string "Foo"\n', str)).passed).toBe(1);
    expect(str.calls).toEqual(["instant \"Foo\" @3000000"]);

    const rv = engineOf(() => ({ type: "matrix", series: [{ labels: labelsFromRecord({ __name__: "m" }), ts: Float64Array.of(10_000, 20_000), vs: Float64Array.of(1, 2) }] }));
    const r = await runScript("eval instant at 1m m[1m]\n  expect range vector from 10s to 20s step 10s\n  m 1 2\n", rv);
    expect(r.passed).toBe(1);
    expect(rv.calls).toEqual(["instant m[1m] @20000"]);

    const tf = engineOf(() => ({ type: "scalar", t: 0, v: 0 }));
    expect((await runScript("eval instant at 0 end()\n  0\n", tf)).passed).toBe(1);
    expect(tf.calls.length).toBe(1);
  });

  it("runs but does not compare the range query of an ordered eval", async () => {
    const e = engineOf(constant({ job: "a" }, 1));
    const res = await runScript('eval instant at 0 sort(x)\n  expect ordered\n  {job="a"} 1\n', e);
    expect(res.passed).toBe(1);
    expect(e.calls.length).toBe(2);
  });

  it("checks annotations", async () => {
    const w = "PromQL warning: something (1:1)";
    const res = await runScript(
      `eval instant at 0 x\n  expect warn msg: ${w}\n  {job="a"} 1\n\neval instant at 0 x\n  expect no_warn\n  {job="a"} 1\n`,
      engineOf(constant({ job: "a" }, 1), { warnings: [w] }),
    );
    expect(res.outcomes.map((o) => o.status)).toEqual(["passed", "failed"]);
    expect(res.outcomes[1]!.message).toMatch(/^unexpected warning annotations/);
  });

  it("checks expected failures against QueryError messages", async () => {
    const failing = engineOf(() => {
      throw new QueryError("execution", "vector cannot contain metrics with the same labelset");
    });
    const res = await runScript(
      [
        "eval instant at 0 x\n  expect fail msg: vector cannot contain metrics with the same labelset\n",
        "eval range from 0 to 1m step 1m x\n  expect fail regex: same label\n",
        "eval_fail instant at 0 x\n",
        "eval instant at 0 x\n  expect fail msg: something else\n",
        "eval instant at 0 x\n  {} 1\n",
      ].join("\n"),
      failing,
    );
    expect(res.outcomes.map((o) => o.status)).toEqual(["passed", "passed", "passed", "failed", "failed"]);
    expect(res.outcomes[3]!.message).toBe('expected error matching message "something else", but got: vector cannot contain metrics with the same labelset');
    expect(res.outcomes[4]!.message).toBe("unexpected error: vector cannot contain metrics with the same labelset");
    // An instant eval that fails never gets the range-mode query.
    expect(failing.calls.filter((c) => c.startsWith("range")).length).toBe(1);
  });

  it("fails expect fail when the query succeeds, on parse errors and on engine crashes", async () => {
    const ok = await runScript("eval instant at 0 x\n  expect fail\n", engineOf(constant({}, 1)));
    expect(ok.outcomes[0]!.message).toMatch(/^expected an error but the query succeeded with vector/);

    const parse = engineOf((_q, query) => {
      throw new ParseError(query, 0, "unexpected end of input");
    });
    const p = await runScript("eval instant at 0 x\n  expect fail\n", parse);
    expect(p.outcomes[0]!.message).toBe("parse error: 1:1: parse error: unexpected end of input");

    const crash = engineOf(() => {
      throw new TypeError("undefined is not a function");
    });
    const c = await runScript("eval instant at 0 x\n  expect fail\n", crash);
    expect(c.outcomes[0]!.message).toBe("engine threw TypeError: undefined is not a function");
  });

  it("evaluates range evals once over their range", async () => {
    const e = engineOf(dump);
    const res = await runScript("load 1m\n  m 1 2 3\n\neval range from 0 to 2m step 1m dump\n  m 1 2 3\n\neval range from 30s to 90s step 30s dump\n  m _ 2 _\n", e);
    expect(res.outcomes.map((o) => o.status)).toEqual(["passed", "passed"]);
    expect(e.calls).toEqual(["range dump 0..120000/60000", "range dump 30000..90000/30000"]);
  });

  it("loads native histograms and compares them as promqltest does, counter reset hints only when named", async () => {
    const res = await runScript(
      `load 1m
  floats 1
  hist {{schema:0 count:1 sum:1}} {{schema:0 count:3 sum:4 buckets:[1 2]}}

eval instant at 1m hist
  hist {{schema:0 count:3 sum:4 buckets:[1 2]}}

eval instant at 1m hist
  hist {{schema:0 count:3 sum:4 buckets:[1 3]}}

eval instant at 1m hist
  hist {{schema:0 count:3 sum:4 buckets:[1 2] counter_reset_hint:not_reset}}

eval instant at 0 hist
  hist {{count:1 sum:1 counter_reset_hint:not_reset}}

eval instant at 1m hist
  hist 3

eval range from 0 to 1m step 1m hist
  hist {{count:1 sum:1}} {{count:3 sum:4 buckets:[1 2]}}
`,
      createTestEngine(),
    );
    expect(res.outcomes.map((o) => [o.line, o.status])).toEqual([
      [5, "passed"],
      [8, "failed"],
      // The second histogram of a chunk reads back as "not reset", the first as unknown.
      [11, "passed"],
      [14, "failed"],
      [17, "failed"],
      [20, "passed"],
    ]);
    expect(res.outcomes[1]!.message).toBe(
      "expected {{count:3 sum:4 buckets:[1 3]}} for hist but got {{count:3 sum:4 counter_reset_hint:not_reset buckets:[1 2]}}",
    );
    expect(res.outcomes[4]!.message).toMatch(/^expected float value 3 for hist but got histogram \{\{count:3 sum:4/);
  });

  it("loads the native histograms with custom buckets that load_with_nhcb derives from classic histograms", async () => {
    const res = await runScript(
      `load_with_nhcb 1m
  h_bucket{le="1", job="a"} 1 4
  h_bucket{le="+Inf", job="a"} 2 6
  h_count{job="a"} 2 6
  h_sum{job="a"} 3 9

eval instant at 1m h
  h{job="a"} {{schema:-53 count:6 sum:9 custom_values:[1] buckets:[4 2]}}

eval instant at 0 h_count
  h_count{job="a"} 2
`,
      createTestEngine(),
    );
    expect(res.outcomes.map((o) => [o.line, o.status, o.message])).toEqual([
      [7, "passed", undefined],
      [10, "passed", undefined],
    ]);
  });

  it("reports loads whose samples storage rejects", async () => {
    const res = await runScript(
      "load 1m\n  m 1 2\n\nload 1m\n  m 5\n\nload 1m\n  m _ 7 3\n\neval instant at 1m dump\n  m 2\n\neval instant at 2m dump\n  m 3\n",
      engineOf(dump),
    );
    expect(res.outcomes.map((o) => [o.line, o.kind, o.status])).toEqual([
      [4, "load", "failed"],
      [7, "load", "failed"],
      [10, "eval", "passed"],
      [13, "eval", "passed"],
    ]);
    expect(res.outcomes[0]!.message).toBe("load failed: 1 sample rejected, first: out of order sample for m at t=0");
    expect(res.outcomes[1]!.message).toBe("load failed: 1 sample rejected, first: duplicate sample for timestamp for m at t=60000");
  });

  it("counts script errors as failures and runs the rest", async () => {
    const res = await runScript("bogus\n\neval instant at 0 x\n  {job=\"a\"} 1\n", engineOf(constant({ job: "a" }, 1)));
    expect(res.outcomes.map((o) => [o.line, o.kind, o.status])).toEqual([
      [1, "script", "failed"],
      [3, "eval", "passed"],
    ]);
  });

  it("runs only the selected eval lines, with every load and clear", async () => {
    const e = engineOf(dump);
    const res = await runScript("load 1m\n  m 1\n\neval instant at 0 dump\n  m 1\n\neval instant at 0 dump\n  m 2\n", e, { onlyLines: new Set([7]) });
    expect(res.outcomes.map((o) => [o.line, o.status])).toEqual([[7, "failed"]]);
  });

  it("runs the @-modifier variants at Prometheus' times when the hook gives one", async () => {
    const e = engineOf(constant({ job: "a" }, 1));
    const res = await runScript('eval instant at 10s x\n  {job="a"} 1\n', e, { hooks: { atModifierQuery: (expr, t) => `${expr} @ ${t / 1000}` } });
    expect(res.passed).toBe(1);
    expect(e.calls.filter((c) => c.startsWith("instant"))).toEqual([
      "instant x @10000",
      "instant x @ 10 @-100000",
      "instant x @ 10 @0",
      "instant x @ 10 @2000",
      "instant x @ 10 @10000",
      "instant x @ 10 @100000",
    ]);
    expect(atModifierTimes(0)).toEqual([-1000, 0, 1000]);
    expect(atModifierTimes(7)).toEqual([-70, 0, 1, 7, 70]);

    const failing = engineOf((_q, query) => constant({ job: "a" }, query.includes("@") ? 2 : 1)(undefined as never, query, 0));
    const bad = await runScript('eval instant at 10s x\n  {job="a"} 1\n', failing, { hooks: { atModifierQuery: (expr) => `${expr} @ 10` } });
    expect(bad.outcomes[0]!.message).toBe('as x @ 10, evaluated at t=-100000: expected 1 for {job="a"} but got 2');
  });

  it("reports progress through onOutcome", async () => {
    const seen: number[] = [];
    await runScript("eval instant at 0 x\n\neval instant at 0 x\n", engineOf(() => ({ type: "vector", samples: [] })), { onOutcome: (o) => seen.push(o.line) });
    expect(seen).toEqual([1, 3]);
  });
});
