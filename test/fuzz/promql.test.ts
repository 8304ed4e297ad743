import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { compareLabels, labelsFromRecord, labelsKey, type Labels } from "../../src/model/labels.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { QueryError, type QueryResult } from "../../src/promql/engine/value.js";
import type { Expr, ValueType } from "../../src/promql/parser/ast.js";
import { ParseError } from "../../src/promql/parser/errors.js";
import { FUNCTIONS } from "../../src/promql/parser/functions.js";
import { parseExpr } from "../../src/promql/parser/parser.js";
import { formatExpr } from "../../src/promql/parser/printer.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { normalize } from "../promql/parser/helpers.js";
import { fuzz, fuzzAsync, fuzzTimeout } from "./fuzz_options.js";

/** Fuzzing PromQL, the input of /api/v1/query, /query_range and every rule: the parser
 * answers a tree or a ParseError positioned inside the query, the printer's output
 * parses back to the same tree, and evaluation answers a well-formed result or one of
 * the engine's QueryErrors (Prometheus' API error types), never anything else, and
 * stops at the sample and time limits with Prometheus' messages. */

const TOO_MANY_SAMPLES = "query processing would load too many samples into memory in query execution";
const TIMED_OUT = "query timed out in expression evaluation";

function fail(msg: string): never {
  throw new Error(msg);
}

// ---- the data the engine reads ----------------------------------------------------

const HOUR = 3_600_000;
const NOW = 2 * HOUR;

/** A few series of every shape a query meets: counters with a reset, gauges with
 * NaN and Inf, a histogram, a series that goes stale, one that starts late. */
async function seed(): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  const add = (rec: Record<string, string>, f: (t: number, i: number) => number | undefined, from = 0, to = NOW, every = 15_000) => {
    const ls = labelsFromRecord(rec);
    for (let t = from, i = 0; t <= to; t += every, i++) {
      const v = f(t, i);
      if (v !== undefined) app.append(ls, t, v);
    }
  };
  add({ __name__: "x", job: "a", instance: "1" }, (_, i) => i * 2 - (i > 200 ? 300 : 0));
  add({ __name__: "x", job: "b", instance: "1" }, (_, i) => i);
  add({ __name__: "x", job: "b", instance: "2" }, (_, i) => (i % 50 === 7 ? NaN : Math.sin(i)));
  add({ __name__: "y", job: "a", instance: "1" }, (_, i) => (i % 97 === 3 ? Infinity : i % 3));
  add({ __name__: "y", job: "c" }, (_, i) => -i, HOUR);
  add({ __name__: "g", job: "a", le: "x" }, (_, i) => (i === 100 ? STALE_NAN : i), 0, NOW / 2);
  for (const le of ["0.1", "0.5", "1", "+Inf"]) {
    add({ __name__: "h_bucket", job: "a", le }, (_, i) => i * (le === "+Inf" ? 10 : Number(le) * 8));
  }
  add({ __name__: "h_count", job: "a" }, (_, i) => i * 10);
  add({ __name__: "h_sum", job: "a" }, (_, i) => i * 4.5);
  add({ __name__: "info_metric_info", job: "a", instance: "1", version: "1.2" }, () => 1);
  add({ __name__: "c:rule", "weird.name": "é😀", job: "a" }, (_, i) => i / 3);
  await app.commit();
  return st;
}

// ---- a grammar of PromQL ---------------------------------------------------------

const NUMBERS = ["1", "0", "0.5", "-2", "+3", "1e3", "1e-300", "1e308", "0x1f", "NaN", "Inf", "-Inf", "5m", "2.5e1", ".5"];
const DURATIONS = ["1ms", "15s", "30s", "1m", "5m", "1h", "1h30m", "2h", "1d", "1w", "1y", "90", "1.5", "0s", "100d"];
const STEPS = ["", "1ms", "7s", "15s", "1m", "5m", "1h", "30s"];
const NAMES = ["x", "y", "g", "h_bucket", "h_count", "h_sum", "nosuch", "c:rule", "info_metric_info"];
const LABELS = ["job", "instance", "le", "__name__", "nosuch", '"weird.name"', "version", "on", "sum"];
const STRINGS = ['"job"', "'le'", "`instance`", '"(.*)"', '"$1"', '""', '"a,b"', '"\\xff"', '"é😀"', '"version"', '"("', '"__name__"', '"x|y"'];
const MATCH_VALUES = ['"a"', '"b"', '"x|y"', '".*"', '".+"', '""', '"("', '"a.*"', '"[[:alpha:]]"', '"(?i)A"', '"\\\\d+"', '"1"', '"é"'];
const AGGR = ["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar"];
const PARAM_AGGR = ["topk", "bottomk", "quantile", "limitk", "limit_ratio"];
const ARITH = ["+", "-", "*", "/", "%", "^", "atan2"];
const CMP = ["==", "!=", ">", "<", ">=", "<="];
const SETS = ["and", "or", "unless"];
const SIGNATURES = [...FUNCTIONS.values()];

const pick = (xs: readonly string[]) => fc.constantFrom(...xs);

const matcher = fc.tuple(pick(LABELS), pick(["=", "!=", "=~", "!~"]), pick(MATCH_VALUES)).map(([l, o, v]) => `${l}${o}${v}`);
const selector = fc.oneof(
  pick(NAMES),
  fc.tuple(pick(NAMES), fc.array(matcher, { maxLength: 3 })).map(([n, ms]) => `${n}{${ms.join(",")}}`),
  fc.array(matcher, { minLength: 1, maxLength: 3 }).map((ms) => `{${ms.join(",")}}`),
  fc.tuple(pick(['"x"', '"c:rule"', '"nosuch"']), fc.array(matcher, { maxLength: 2 })).map(([n, ms]) => `{${[n, ...ms].join(",")}}`),
);
const at = pick(["", "", " @ 3600", " @ 7200.5", " @ start()", " @ end()", " @ 0", " @ -100", " @ 1e10"]);
const offset = pick(["", "", " offset 5m", " offset -30m", " offset 1h", " offset 1y", " offset 0s"]);
const modifiers = fc.tuple(at, offset, fc.boolean()).map(([a, o, swap]) => (swap ? o + a : a + o));
const grouping = fc.array(pick(LABELS), { maxLength: 3 }).map((ls) => `(${ls.join(", ")})`);

type Typed = { vector: string; scalar: string; matrix: string; string: string };

function expressions(): fc.Arbitrary<string> {
  const depth = fc.createDepthIdentifier();
  const opts = { depthSize: "small" as const, maxDepth: 5, depthIdentifier: depth, withCrossShrink: true };
  const tree = fc.letrec<Typed>((tie) => {
    /** An argument of the type a signature asks for; now and then a wrong one. */
    const argOf = (t: ValueType): fc.Arbitrary<string> => {
      const right = t === "none" ? fc.constant("1") : tie(t);
      return fc.oneof({ weight: 12, arbitrary: right }, { weight: 1, arbitrary: fc.oneof(tie("vector"), tie("scalar"), tie("string")) });
    };
    const call = (want: ValueType) =>
      fc
        .constantFrom(...SIGNATURES.filter((s) => s.returnType === want))
        .chain((sig) => {
          const types = [...sig.argTypes];
          const extra = sig.variadic < 0 ? fc.nat({ max: 2 }) : fc.constant(0);
          const drop = sig.variadic > 0 ? fc.nat({ max: Math.min(sig.variadic, types.length) }) : fc.constant(0);
          return fc.tuple(extra, drop).chain(([more, less]) => {
            const want = types.slice(0, types.length - less);
            for (let i = 0; i < more; i++) want.push(types[types.length - 1]!);
            return (want.length === 0 ? fc.constant([] as string[]) : fc.tuple(...want.map(argOf))).map((args) => `${sig.name}(${args.join(", ")})`);
          });
        });
    return {
      string: pick(STRINGS),
      scalar: fc.oneof(
        opts,
        pick(NUMBERS),
        call("scalar"),
        fc.tuple(tie("scalar"), pick(ARITH), tie("scalar")).map(([a, o, b]) => `${a} ${o} ${b}`),
        fc.tuple(tie("scalar"), pick(CMP), tie("scalar")).map(([a, o, b]) => `${a} ${o} bool ${b}`),
        tie("scalar").map((e) => `(${e})`),
        tie("scalar").map((e) => `-${e}`),
      ),
      matrix: fc.oneof(
        opts,
        fc.tuple(selector, pick(DURATIONS), modifiers).map(([s, d, m]) => `${s}[${d}]${m}`),
        fc.tuple(tie("vector"), pick(DURATIONS), pick(STEPS), modifiers).map(([e, d, st, m]) => `(${e})[${d}:${st}]${m}`),
      ),
      vector: fc.oneof(
        opts,
        fc.tuple(selector, modifiers).map(([s, m]) => s + m),
        call("vector"),
        fc.tuple(pick(AGGR), pick(["by", "without", ""]), grouping, tie("vector"), fc.boolean()).map(([op, kw, g, e, before]) =>
          kw === "" ? `${op}(${e})` : before ? `${op} ${kw} ${g} (${e})` : `${op}(${e}) ${kw} ${g}`,
        ),
        fc.tuple(pick(PARAM_AGGR), tie("scalar"), tie("vector"), grouping).map(([op, p, e, g]) => `${op} by ${g} (${p}, ${e})`),
        fc.tuple(tie("string"), tie("vector")).map(([s, e]) => `count_values without (instance) (${s}, ${e})`),
        fc
          .tuple(tie("vector"), pick([...ARITH, ...CMP, ...SETS]), fc.boolean(), pick(["", " on", " ignoring"]), grouping, pick(["", " group_left", " group_right"]), grouping, tie("vector"))
          .map(([a, op, bool, kw, g1, card, g2, b]) => {
            const mod = kw === "" ? "" : `${kw}${g1}${card}${card === "" ? "" : g2}`;
            return `${a} ${op}${bool && CMP.includes(op) ? " bool" : ""}${mod} ${b}`;
          }),
        fc.tuple(tie("vector"), pick([...ARITH, ...CMP]), tie("scalar"), fc.boolean()).map(([v, op, s, flip]) => (flip ? `${s} ${op} ${v}` : `${v} ${op} ${s}`)),
        tie("vector").map((e) => `(${e})`),
        tie("vector").map((e) => `-${e}`),
      ),
    };
  });
  return fc.oneof({ weight: 6, arbitrary: tree.vector }, { weight: 2, arbitrary: tree.scalar }, { weight: 1, arbitrary: tree.matrix }, { weight: 1, arbitrary: tree.string });
}

const FRAGMENTS = ["(", ")", "{", "}", "[", "]", ":", ",", "=", "=~", "!~", "\"", "'", "`", "\\", "@", "offset", "by", "without", "on", "group_left", "bool", "+", "-", "*", "/", "^", "and", "or", "1", "5m", "1y", "x", "sum", "rate", "#", "\n", " ", "é", "\u0000", "\ud800"];

const mutated = fc
  .tuple(expressions(), fc.array(fc.record({ kind: fc.constantFrom("truncate", "insert", "delete"), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }), text: pick(FRAGMENTS) }), { minLength: 1, maxLength: 3 }))
  .map(([q, edits]) => {
    for (const e of edits) {
      const at = q.length === 0 ? 0 : e.at % (q.length + 1);
      if (e.kind === "truncate") q = q.slice(0, at);
      else if (e.kind === "insert") q = q.slice(0, at) + e.text + q.slice(at);
      else q = q.slice(0, at) + q.slice(at + e.len);
    }
    return q;
  });

// ---- checks ------------------------------------------------------------------------

function parsed(q: string): Expr | ParseError {
  try {
    return parseExpr(q);
  } catch (e) {
    if (e instanceof ParseError) {
      if (!(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= q.length)) fail(`${JSON.stringify(q)}: error offset ${e.offset} outside the query`);
      if (!/^\d+:\d+: parse error: \S/.test(e.message)) fail(`${JSON.stringify(q)}: malformed message ${JSON.stringify(e.message)}`);
      return e;
    }
    fail(`${JSON.stringify(q)} threw ${String(e)} instead of a ParseError`);
  }
}

/** Sub-millisecond durations and @ times beyond float precision cannot be printed
 * back exactly, in Prometheus as here. */
function printable(e: unknown): boolean {
  if (e === null || typeof e !== "object") return true;
  const n = e as Record<string, unknown>;
  const at = n.at as { kind: string; ms: number } | null | undefined;
  if (at && at.kind === "timestamp" && Math.abs(at.ms) > 1e15) return false;
  return Object.values(n).every((v) => (Array.isArray(v) ? v.every(printable) : printable(v)));
}

function checkRoundTrip(q: string, e: Expr): void {
  if (!printable(e)) return;
  const printed = formatExpr(e);
  const again = parsed(printed);
  if (again instanceof ParseError) fail(`${JSON.stringify(q)} prints as ${JSON.stringify(printed)}, which fails: ${again.message}`);
  if (!isDeepStrictEqual(normalize(again), normalize(e))) fail(`${JSON.stringify(q)} prints as ${JSON.stringify(printed)}, which parses to another tree`);
}

function checkLabels(ls: Labels, where: string): void {
  for (let i = 1; i < ls.length; i++) {
    if (!(ls[i - 1]!.name < ls[i]!.name)) fail(`${where}: labels not sorted or repeated: ${labelsKey(ls)}`);
  }
}

/** What Prometheus guarantees of every result: one sample per label set, labels
 * sorted, the query's time on instant results, range points on the step grid. */
function checkResult(q: string, r: QueryResult, range: { start: number; end: number; step: number } | undefined, t: number): void {
  const v = r.value;
  if (v.type === "scalar" || v.type === "string") {
    if (v.t !== t) fail(`${q}: ${v.type} at ${v.t}, not ${t}`);
    return;
  }
  const seen = new Set<string>();
  if (v.type === "vector") {
    for (const s of v.samples) {
      checkLabels(s.labels, q);
      const k = labelsKey(s.labels);
      if (seen.has(k)) fail(`${q}: two samples for ${k}`);
      seen.add(k);
      if (s.t !== t) fail(`${q}: sample at ${s.t}, not ${t}`);
    }
    return;
  }
  for (let i = 0; i < v.series.length; i++) {
    const s = v.series[i]!;
    checkLabels(s.labels, q);
    const k = labelsKey(s.labels);
    if (seen.has(k)) fail(`${q}: two series for ${k}`);
    seen.add(k);
    if (s.ts.length !== s.vs.length) fail(`${q}: ${s.ts.length} timestamps for ${s.vs.length} values`);
    for (let j = 1; j < s.ts.length; j++) if (!(s.ts[j - 1]! < s.ts[j]!)) fail(`${q}: timestamps of ${k} not increasing`);
    if (range !== undefined) {
      if (i > 0 && compareLabels(v.series[i - 1]!.labels, s.labels) >= 0) fail(`${q}: range result not ordered by labels`);
      if (s.ts.length === 0) fail(`${q}: empty series ${k} in a range result`);
      for (const ts of s.ts) if (ts < range.start || ts > range.end || (ts - range.start) % range.step !== 0) fail(`${q}: point at ${ts} off the step grid`);
    }
  }
}

/** Evaluation's only permitted failure: a QueryError of one of Prometheus' types. */
function checkQueryError(q: string, e: unknown): QueryError {
  if (!(e instanceof QueryError)) fail(`${JSON.stringify(q)} failed with ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  if (!["execution", "timeout", "canceled", "bad_data"].includes(e.errorType)) fail(`${q}: error type ${e.errorType}`);
  if (e.message === "") fail(`${q}: empty error message`);
  if (e.errorType === "timeout" && e.message !== TIMED_OUT) fail(`${q}: timeout message ${JSON.stringify(e.message)}`);
  if (e.message.includes("too many samples") && e.message !== TOO_MANY_SAMPLES) fail(`${q}: ${e.message}`);
  return e;
}

const rangeParams = fc.record({
  start: fc.integer({ min: 0, max: NOW }),
  length: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: NOW })),
  step: pick(["1", "1000", "15000", "60000", "7000", "600000"]).map(Number),
});

let store: MemoryStorage;
beforeAll(async () => {
  store = await seed();
});

// Limits well below the defaults keep every case fast; what matters is that they hold.
const engine = new Engine({ maxSamples: 200_000, timeoutMs: 2_000 });

async function evaluate(q: string, e: Expr, instant: boolean, params: { start: number; length: number; step: number }): Promise<void> {
  const t0 = performance.now();
  try {
    if (instant) checkResult(q, await engine.instantQuery(store.querier(), e, params.start), undefined, params.start);
    else {
      const end = params.start + params.length;
      checkResult(q, await engine.rangeQuery(store.querier(), e, params.start, end, params.step), { start: params.start, end, step: params.step }, params.start);
    }
  } catch (err) {
    checkQueryError(q, err);
  }
  const ms = performance.now() - t0;
  // The timeout is 2 s; well past it means some loop never looks at the deadline.
  if (ms > 15_000) fail(`${JSON.stringify(q)} ran ${ms.toFixed(0)} ms`);
}

describe("fuzzing the PromQL parser", () => {
  it("generated queries parse to a tree or fail with a ParseError inside the query, and trees print back to themselves", () => {
    let ok = 0;
    fuzz(
      fc.property(expressions(), (q) => {
        const e = parsed(q);
        if (e instanceof ParseError) return;
        ok++;
        checkRoundTrip(q, e);
      }),
    );
    expect(ok).toBeGreaterThan(100);
  }, fuzzTimeout());

  it("truncated and spliced queries fail only with a positioned ParseError", () => {
    fuzz(
      fc.property(mutated, (q) => {
        const e = parsed(q);
        if (!(e instanceof ParseError)) checkRoundTrip(q, e);
      }),
    );
  }, fuzzTimeout());

  it("random characters fail only with a positioned ParseError", () => {
    fuzz(fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: pick(FRAGMENTS), maxLength: 30 })), (q) => void parsed(q)), 2);
  }, fuzzTimeout());
});

describe("fuzzing the PromQL engine", () => {
  it("evaluates generated queries, instant and range, to well-formed results or QueryErrors", async () => {
    let evaluated = 0;
    await fuzzAsync(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: expressions() }, { weight: 1, arbitrary: mutated }), fc.boolean(), rangeParams, async (q, instant, params) => {
        const e = parsed(q);
        if (e instanceof ParseError) return;
        evaluated++;
        await evaluate(q, e, instant, params);
      }),
      5,
    );
    expect(evaluated).toBeGreaterThan(20);
  }, fuzzTimeout());

  it("stops at query.max-samples with Prometheus' message, and a larger budget gives the same answer where a smaller one sufficed", async () => {
    const heavy = fc.oneof(
      expressions(),
      fc.tuple(pick(["x", "y", "h_bucket", '{job=~".+"}']), pick(["5m", "1h", "2h"])).map(([s, d]) => `count_over_time(${s}[${d}])`),
      fc.tuple(pick(["x", "h_bucket"]), pick(["1h", "2h"]), pick(["15s", "1m"])).map(([s, d, st]) => `max_over_time(sum by (job) (${s})[${d}:${st}])`),
    );
    let stopped = 0;
    await fuzzAsync(
      fc.asyncProperty(heavy, fc.integer({ min: 1, max: 3000 }), fc.boolean(), async (q, limit, instant) => {
        const e = parsed(q);
        if (e instanceof ParseError) return;
        const run = async (maxSamples: number): Promise<QueryResult | QueryError> => {
          const eng = new Engine({ maxSamples, timeoutMs: 5_000 });
          try {
            return instant ? await eng.instantQuery(store.querier(), e, NOW) : await eng.rangeQuery(store.querier(), e, NOW - HOUR, NOW, 60_000);
          } catch (err) {
            return checkQueryError(q, err);
          }
        };
        const low = await run(limit);
        const high = await run(limit * 4);
        if (!(low instanceof QueryError)) {
          if (high instanceof QueryError || !isDeepStrictEqual(high.value, low.value)) fail(`${q}: a budget of ${limit * 4} answers differently from ${limit}`);
        } else if (low.message === TOO_MANY_SAMPLES) {
          stopped++;
        }
      }),
      10,
    );
    expect(stopped).toBeGreaterThan(0);
    // And a query that must hold more than the budget is stopped by it.
    const eng = new Engine({ maxSamples: 100 });
    await expect(eng.instantQuery(store.querier(), "x[1h]", NOW)).rejects.toMatchObject({ errorType: "execution", message: TOO_MANY_SAMPLES });
    await expect(eng.rangeQuery(store.querier(), "sum(x)", 0, NOW, 15_000)).rejects.toMatchObject({ errorType: "execution", message: TOO_MANY_SAMPLES });
  }, fuzzTimeout());

  it("stops huge subquery grids at query.max-samples instead of allocating them", async () => {
    await fuzzAsync(
      fc.asyncProperty(pick(["x", "nosuch", "sum(x)", "vector(1)", "time()"]), pick(["1y", "100d", "10y", "1000d"]), pick(["1ms", "2ms", "10ms"]), pick(["max_over_time", "count_over_time", "rate"]), async (inner, range, step, f) => {
        const q = `${f}((${inner})[${range}:${step}])`;
        const e = parsed(q);
        if (e instanceof ParseError) return;
        try {
          await engine.instantQuery(store.querier(), e, NOW);
        } catch (err) {
          checkQueryError(q, err);
        }
      }),
      20,
    );
  }, fuzzTimeout());

  it("stops at the query timeout with Prometheus' message", async () => {
    const big = new MemoryStorage();
    const app = big.appender();
    for (let i = 0; i < 3000; i++) {
      const ls = labelsFromRecord({ __name__: "m", i: String(i), job: String(i % 7) });
      for (let t = 0; t <= HOUR; t += 60_000) app.append(ls, t, i + t);
    }
    await app.commit();
    // A deadline already behind the clock: the first look at it must stop the query.
    const eng = new Engine({ timeoutMs: -1 });
    await fuzzAsync(
      fc.asyncProperty(pick(["m", "sum by (job) (m)", "rate(m[5m])", "max_over_time(m[10m:1m])", "topk(3, m)", "m * on(i) m", "count_values(\"v\", m)"]), fc.boolean(), async (q, instant) => {
        // Every one of these reads 3,000 series, more than the engine handles between
        // two looks at the clock, so none can finish.
        let err: unknown;
        try {
          if (instant) await eng.instantQuery(big.querier(), q, HOUR);
          else await eng.rangeQuery(big.querier(), q, 0, HOUR, 60_000);
        } catch (e) {
          err = e;
        }
        if (err === undefined) fail(`${q} finished after its deadline`);
        const qe = checkQueryError(q, err);
        if (qe.errorType !== "timeout" || qe.message !== TIMED_OUT) fail(`${q}: ${qe.errorType} ${qe.message}`);
      }),
      50,
    );
  }, fuzzTimeout());
});
