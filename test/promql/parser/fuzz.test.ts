import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import type { Expr } from "../../../src/promql/parser/ast.js";
import { ParseError } from "../../../src/promql/parser/errors.js";
import { parseExpr } from "../../../src/promql/parser/parser.js";
import { formatExpr } from "../../../src/promql/parser/printer.js";
import { parseSeriesSelector } from "../../../src/promql/parser/selector.js";
import { conformanceFiles, evalCases } from "./conformance_exprs.js";
import { normalize } from "./helpers.js";
import { holds } from "../../support/property.js";

/** Property tests: whatever the input, parsing ends quickly with a tree or a
 * ParseError (never another exception), and every tree it produces survives a trip
 * through the printer. */

const SEEDS = [
  'sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[5m]))',
  "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m] offset 1h)))",
  "a * on(x) group_left(y) b > bool 1",
  'max_over_time(deriv(rate(x{a!~"b"}[5s])[30s:5s])[10m:] @ 100)',
  'topk(3, count_values("v", x)) or vector(1) unless absent(y)',
  '-x ^ 2 + 1e3 - 0x1f % atan2 label_replace(y, "a", "$1", "b", "(.*)")',
  '{"my.metric", "l.n"="v"} / ignoring("a.b") scalar(z)',
  "foo @ start() offset -5m + bar[1h:] @ end()",
  "# comment\nsum without (a,) (x)\n# trailing",
  "time() - timestamp(up) > 60 and up == 0",
];

const FRAGMENTS = [
  "sum", "avg", "topk", "count_values", "quantile", "rate", "abs", "label_replace", "time", "vector", "scalar",
  "info", "step", "start", "end", "foo", "bar", "a:b", "by", "without", "on", "ignoring", "group_left",
  "group_right", "bool", "offset", "and", "or", "unless", "atan2", "Inf", "NaN", "@", "(", ")", "{", "}", "[",
  "]", ":", ",", "=", "!=", "=~", "!~", "==", ">", "<=", "+", "-", "*", "/", "%", "^", "1", "0.5", "1e3", "0x1f",
  "5m", "1h30m", "0", '"a"', "'b'", "`c`", '"\\n"', '"é"', " ", " ", "\n", "#", "\t", ".", "_", "x", "__name__",
];

function outcome(q: string): Expr | ParseError {
  try {
    return parseExpr(q);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw new Error(`${JSON.stringify(q)} threw a non-ParseError: ${String(e)}`);
  }
}

/** Durations below a millisecond truncate to 0 ms, and very large @ timestamps lose
 * precision, in Prometheus as here; such trees cannot be printed back faithfully. */
function printable(e: unknown): boolean {
  if (e === null || typeof e !== "object") return true;
  const n = e as Record<string, unknown>;
  if ((n.type === "MatrixSelector" || n.type === "SubqueryExpr") && n.range === 0) return false;
  const at = n.at as { kind: string; ms: number } | null | undefined;
  if (at && at.kind === "timestamp" && Math.abs(at.ms) > 1e15) return false;
  return Object.values(n).every((v) => (Array.isArray(v) ? v.every(printable) : printable(v)));
}

function fail(msg: string): never {
  throw new Error(msg);
}

/** Plain checks rather than expect(): this runs tens of thousands of times. */
function checkInput(q: string): void {
  let t0 = performance.now();
  let r = outcome(q);
  let ms = performance.now() - t0;
  if (ms > 200) {
    // A first non-ASCII regex builds the case-folding tables once; only a second slow
    // parse of the same input is slow parsing.
    t0 = performance.now();
    r = outcome(q);
    ms = performance.now() - t0;
  }
  if (ms > 200) fail(`parsing ${JSON.stringify(q)} took ${ms} ms`);
  if (r instanceof ParseError) {
    if (!(r.offset >= 0 && r.offset <= q.length)) fail(`${JSON.stringify(q)}: error offset ${r.offset} out of range`);
    if (!/^\d+:\d+: parse error: ./.test(r.message)) fail(`${JSON.stringify(q)}: malformed message ${r.message}`);
    return;
  }
  if (!printable(r)) return;
  const printed = formatExpr(r);
  const again = outcome(printed);
  if (again instanceof ParseError) fail(`${JSON.stringify(q)} printed as ${JSON.stringify(printed)} which fails: ${again.message}`);
  if (!isDeepStrictEqual(normalize(again), normalize(r))) fail(`${JSON.stringify(q)} -> ${JSON.stringify(printed)} parses differently`);
  if (formatExpr(again) !== printed) fail(`${JSON.stringify(q)} -> ${JSON.stringify(printed)} prints differently the second time`);
}


/** Generates well-typed queries from a small grammar. */
function queries(): fc.Arbitrary<string> {
  const dur = fc.constantFrom("5m", "30s", "1h30m", "90", "1.5", "2w", "1y", "10ms", "1d");
  const name = fc.constantFrom("foo", "bar:baz_total", "sum", "by", "offset", "start", "and", "x1");
  const label = fc.constantFrom("a", "job", "on", "sum", "le", '"a.b"', "`k`");
  const value = fc.constantFrom('"x"', '"a\\nb"', "'q'", '"é😀"', '""', '".*"', '"\\x41"');
  const matchOp = fc.constantFrom("=", "!=", "=~", "!~");
  const matcher = fc.tuple(label, matchOp, value).map(([l, o, v]) => `${l}${o}${v}`);
  const matchers = fc.array(matcher, { maxLength: 3 }).map((ms) => ms.join(", "));
  const selector = fc.oneof(
    name,
    fc.tuple(name, matchers).map(([n, ms]) => `${n}{${ms}}`),
    fc.tuple(value.filter((v) => v !== '""' && v !== '".*"'), matchers).map(([v, ms]) => `{job=${v}${ms ? ", " + ms : ""}}`),
    fc.tuple(fc.constantFrom('"my.metric"', '"up"', '"on"'), matchers).map(([n, ms]) => `{${n}${ms ? ", " + ms : ""}}`),
  );
  const at = fc.constantFrom("", " @ 100", " @ -1.5", " @ start()", " @ end()", " @ 1609459200.123");
  const offset = fc.constantFrom("", " offset 5m", " offset -1h", " offset 90");
  const mods = fc.tuple(at, offset).chain(([a, o]) => fc.constantFrom(a + o, o + a));
  const grouping = fc.array(label, { maxLength: 3 }).map((ls) => `(${ls.join(", ")})`);
  const include = fc.array(fc.constantFrom("extra", '"x.y"', "bool"), { maxLength: 2 }).map((ls) => `(${ls.join(", ")})`);
  const num = fc.constantFrom("1", "0.5", "1e3", "0x1f", "Inf", "NaN", "5m", "-2", "+3");
  const arith = fc.constantFrom("+", "-", "*", "/", "%", "^", "atan2");
  const cmp = fc.constantFrom("==", "!=", ">", "<", ">=", "<=");
  const setOp = fc.constantFrom("and", "or", "unless");
  const aggr = fc.constantFrom("sum", "avg", "min", "max", "group", "stddev", "stdvar", "count");

  const { v } = fc.letrec<{ v: string; s: string; m: string }>((tie) => ({
    m: fc.oneof(
      fc.tuple(selector, dur, mods).map(([sel, d, m]) => `${sel}[${d}]${m}`),
      fc.tuple(tie("v"), dur, fc.option(dur), mods).map(([e, r, st, m]) => `(${e})[${r}:${st ?? ""}]${m}`),
    ),
    s: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      num,
      fc.constant("time()"),
      tie("v").map((e) => `scalar(${e})`),
      fc.tuple(tie("s"), arith, tie("s")).map(([a, o, b]) => `(${a}) ${o} ${b}`),
      fc.tuple(tie("s"), cmp, tie("s")).map(([a, o, b]) => `(${a}) ${o} bool (${b})`),
      tie("s").map((e) => `(${e})`),
      tie("s").map((e) => `-(${e})`),
    ),
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.tuple(selector, mods).map(([sel, m]) => sel + m),
      tie("m").map((e) => `rate(${e})`),
      fc.tuple(tie("s"), tie("m")).map(([q, e]) => `quantile_over_time(${q}, ${e})`),
      tie("v").map((e) => `abs(${e})`),
      tie("s").map((e) => `vector(${e})`),
      fc.tuple(tie("v"), fc.constantFrom('"dst"', '"a.b"'), value).map(([e, d, r]) => `label_replace(${e}, ${d}, "$1", "src", ${r})`),
      fc.tuple(aggr, fc.constantFrom("by", "without", ""), grouping, tie("v"), fc.boolean()).map(([op, kw, g, e, before]) =>
        kw === "" ? `${op}(${e})` : before ? `${op} ${kw} ${g} (${e})` : `${op}(${e}) ${kw} ${g}`,
      ),
      fc.tuple(fc.constantFrom("topk", "bottomk", "quantile", "limitk", "limit_ratio"), tie("s"), tie("v")).map(([op, p, e]) => `${op}(${p}, ${e})`),
      fc.tuple(tie("v"), fc.constantFrom('"v"', "'w'")).map(([e, l]) => `count_values(${l}, ${e})`),
      fc.tuple(tie("v"), arith, fc.constantFrom("", " on", " ignoring"), grouping, fc.constantFrom("", " group_left", " group_right"), include, tie("v")).map(
        ([a, o, kw, g1, gr, g2, b]) => `(${a}) ${o}${kw === "" ? "" : `${kw}${g1}${gr}${gr ? g2 : ""}`} (${b})`,
      ),
      fc.tuple(tie("v"), cmp, fc.boolean(), tie("v")).map(([a, o, bool, b]) => `(${a}) ${o}${bool ? " bool" : ""} (${b})`),
      fc.tuple(tie("v"), setOp, fc.constantFrom("", " on(a)", " ignoring(job)"), tie("v")).map(([a, o, m, b]) => `(${a}) ${o}${m} (${b})`),
      fc.tuple(tie("v"), arith, tie("s")).map(([a, o, b]) => `(${a}) ${o} (${b})`),
      fc.tuple(tie("s"), cmp, tie("v")).map(([a, o, b]) => `(${a}) ${o} (${b})`),
      tie("v").map((e) => `(${e})`),
      tie("v").map((e) => `-(${e})`),
      fc.tuple(tie("v"), dur, dur).map(([e, r, st]) => `max_over_time((${e})[${r}:${st}])`),
    ),
  }));
  return v;
}

const seeds = [...SEEDS, ...conformanceFiles().flatMap((f) => evalCases(f).map((c) => c.expr))];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete"), at: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant("insert"), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
  fc.record({ kind: fc.constant("replace"), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
  fc.record({ kind: fc.constant("char"), at: fc.nat(), text: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }),
  fc.record({ kind: fc.constant("dup"), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
);
type Mutation = { kind: string; at: number; len?: number; text?: string };

function mutate(q: string, ms: Mutation[]): string {
  for (const m of ms) {
    const at = q.length === 0 ? 0 : m.at % (q.length + 1);
    switch (m.kind) {
      case "delete":
        q = q.slice(0, at) + q.slice(at + m.len!);
        break;
      case "insert":
      case "char":
        q = q.slice(0, at) + m.text! + q.slice(at);
        break;
      case "replace":
        q = q.slice(0, at) + m.text! + q.slice(at + m.text!.length);
        break;
      case "dup":
        q = q.slice(0, at) + q.slice(at, at + m.len!) + q.slice(at);
        break;
    }
  }
  return q;
}

describe("fuzzing", () => {
  it("survives random token soup", () => {
    holds(fc.property(fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 40 }), checkInput), { numRuns: 4000 });
  });

  it("survives random characters", () => {
    holds(fc.property(fc.string({ unit: "binary", maxLength: 60 }), checkInput), { numRuns: 2000 });
    const ascii = fc.string({ unit: fc.constantFrom(..."abcxyz019_:.(){}[]<>=!~+-*/%^@,'\"`\\# \n".split("")), maxLength: 60 });
    holds(fc.property(ascii, checkInput), { numRuns: 4000 });
  });

  it("survives random edits of valid queries", () => {
    holds(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (q, ms) => checkInput(mutate(q, ms))),
      { numRuns: 6000 },
    );
  });

  it("parses and round-trips generated well-typed queries", () => {
    holds(
      fc.property(queries(), (q) => {
        const r = outcome(q);
        if (r instanceof ParseError) throw new Error(`${JSON.stringify(q)} failed: ${r.message}`);
        checkInput(q);
      }),
      { numRuns: 3000 },
    );
  });

  it("never throws anything but ParseError from the series selector parser", () => {
    holds(
      fc.property(fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 20 }), (q) => {
        try {
          parseSeriesSelector(q);
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("stays linear on large inputs", () => {
    const term = 'rate(foo{a="b"}[5m] offset 1m)';
    // The best of a few runs, to keep other work on the machine out of the ratio.
    const time = (n: number): number => {
      const q = Array(n).fill(term).join(" + ");
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        parseExpr(q);
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    // Both sizes are past the point where the young generation overflows (around 10,000
    // terms, a one-time step in cost per term), so doubling the input doubles linear
    // work and quadruples quadratic work.
    time(20_000); // warm up
    const small = time(20_000);
    const large = time(40_000);
    expect(large / small).toBeLessThan(3.3);
  });
});
