import { describe, expect, it } from "vitest";
import { parseExpr } from "../../../src/promql/parser/parser.js";
import { formatExpr } from "../../../src/promql/parser/printer.js";
import { expectSameTree } from "./helpers.js";

/** [input, Prometheus' canonical form]; an empty second element means unchanged. */
const CASES: [string, string][] = [
  ['sum by(job) (rate(http_requests_total{job="api"}[5m]))', 'sum by (job) (rate(http_requests_total{job="api"}[5m]))'],
  ["sum(rate(x[5m])) by (job)", "sum by (job) (rate(x[5m]))"],
  ["sum by() (x)", "sum(x)"],
  ["sum without() (x)", "sum without () (x)"],
  ["avg without(instance, job) (x)", "avg without (instance, job) (x)"],
  ['sum by("foo.bar", job) (x)', 'sum by ("foo.bar", job) (x)'],
  ["topk(5, x)", ""],
  ['count_values("value", x)', ""],
  ["quantile by (le) (0.9, x)", ""],
  ["a - on() c", "a - on () c"],
  ["a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c"],
  ["a - on(b) group_left c", "a - on (b) group_left () c"],
  ["a - ignoring(b) c", "a - ignoring (b) c"],
  ["a - ignoring() c", "a - c"],
  ["a - ignoring() group_right(x) c", "a - ignoring () group_right (x) c"],
  ["a and on(x) b", "a and on (x) b"],
  ["a or b", ""],
  ["up > bool 0", ""],
  ["1 == bool 2", ""],
  ["a offset 1m", ""],
  ["a offset -7m", ""],
  ["a offset 90m", "a offset 1h30m"],
  ["a offset 0.5", "a offset 500ms"],
  ["a{c='d'}[5m] offset 1m", 'a{c="d"}[5m] offset 1m'],
  ["a[12m] offset -3m", ""],
  ["a[1h:5m] offset 1m", ""],
  ["a[1h:] @ 10", "a[1h:] @ 10.000"],
  ["a @ 10", "a @ 10.000"],
  ["a @ -1.5", "a @ -1.500"],
  ["a[1m] @ 10 offset 1m", "a[1m] @ 10.000 offset 1m"],
  ["a offset 1m @ start()", "a @ start() offset 1m"],
  ["a[1m] @ end()", ""],
  ['{__name__="a"}', ""],
  ['{__name__="",a="x"}', ""],
  ['a{b!="c"}[1m]', ""],
  ['a{b=~"c"}[1m]', ""],
  ['a{b!~"c"}[1m]', ""],
  ['a{z="1", b="2", m=~"3"}', 'a{b="2",m=~"3",z="1"}'],
  ['{"a.b"="c"}', ""],
  ['{"0"="1"}', ""],
  ['{"_0"="1"}', '{_0="1"}'],
  ['{""="0"}', ""],
  ['{``="0"}', '{""="0"}'],
  ['{"my.metric", job="x"}', '{"my.metric",job="x"}'],
  ['{"up"}', "up"],
  ['{"on"}', '{"on"}'],
  ["sum", ""],
  ['by{a="b"}', ""],
  ["foo[90s]", "foo[1m30s]"],
  ["foo[5]", "foo[5s]"],
  ["foo[14d]", "foo[2w]"],
  ["foo[90d]", "foo[90d]"],
  ["foo[1y]", ""],
  ["foo[1500ms]", "foo[1s500ms]"],
  ["1048576", ""],
  ["1e3", "1000"],
  ["0x1f", "31"],
  ["1e-7", "0.0000001"],
  ["-1.5", ""],
  ["+Inf", ""],
  ["-Inf", ""],
  ["NaN", ""],
  ["5m", "300"],
  ["-2 ^ 2", "-2 ^ 2"],
  ["-(2 ^ 2)", ""],
  ["(-2) ^ 2", ""],
  ["2 ^ -1", ""],
  ["- - a", "--a"],
  ["a - -1", ""],
  ['"a\\tb"', ""],
  ["'single'", '"single"'],
  ["`raw\\n`", '"raw\\\\n"'],
  ['"é😀"', ""],
  ['"\\x00\\u00a0"', '"\\x00\\u00a0"'],
  ['label_replace(up, "dst", "$1", "src", "(.*)")', ""],
  ["rate(x[5m])[30m:1m]", ""],
  ["max_over_time(deriv(rate(x[5s])[30s:5s])[10m:])", ""],
  ["(a + b)[5m:]", ""],
  ["foo offset 5m [10m:1m]", "foo offset 5m[10m:1m]"],
  ["time()", ""],
  ["info(x, {})", ""],
  // Found by test/fuzz/promql.test.ts: printed as `info(x, x)`, which does not parse.
  ['info(x, {"x"})', ""],
  ['info(-x, {"target_info", job="a"} offset 5m)', 'info(-x, {"target_info",job="a"} offset 5m)'],
  ["a * (b + c)", ""],
  ["a +\n# comment\nb", "a + b"],
  ['sum by ("without", "inf", "a.b") (x)', ''],
];

describe("formatExpr", () => {
  it.each(CASES)("%j", (input, want) => {
    const e = parseExpr(input);
    expect(formatExpr(e)).toBe(want === "" ? input : want);
  });

  it.each(CASES)("round-trips %j", (input) => {
    const e = parseExpr(input);
    const again = parseExpr(formatExpr(e));
    expectSameTree(again, e);
    expect(formatExpr(again)).toBe(formatExpr(e));
  });

  it("prints long operator chains without deep recursion", () => {
    const q = Array.from({ length: 20_000 }, (_, i) => `m${i}`).join(" or ");
    expect(formatExpr(parseExpr(q))).toBe(q);
  });
});
