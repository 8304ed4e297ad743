import { describe, expect, it } from "vitest";
import type { AggregateExpr, BinaryExpr, Call, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from "../../../src/promql/parser/ast.js";
import { formatExpr } from "../../../src/promql/parser/printer.js";
import { parseExpr } from "../../../src/promql/parser/parser.js";
import { normalize } from "./helpers.js";

/** Shows the tree's structure with explicit parentheses, to test precedence. */
function shape(e: Expr): string {
  switch (e.type) {
    case "NumberLiteral":
      return String(e.val);
    case "StringLiteral":
      return JSON.stringify(e.val);
    case "VectorSelector":
      return e.name || "{…}";
    case "MatrixSelector":
      return `${shape(e.vectorSelector)}[${e.range}]`;
    case "SubqueryExpr":
      return `${shape(e.expr)}[${e.range}:${e.step}]`;
    case "ParenExpr":
      return `paren(${shape(e.expr)})`;
    case "UnaryExpr":
      return `${e.op}(${shape(e.expr)})`;
    case "BinaryExpr":
      return `(${shape(e.lhs)} ${e.op}${e.returnBool ? " bool" : ""} ${shape(e.rhs)})`;
    case "AggregateExpr":
      return `${e.op}(${e.param ? `${shape(e.param)}, ` : ""}${shape(e.expr)})`;
    case "Call":
      return `${e.func.name}(${e.args.map(shape).join(", ")})`;
  }
}

const p = parseExpr;

describe("precedence and associativity", () => {
  it.each<[string, string]>([
    ["a + b * c", "(a + (b * c))"],
    ["a * b + c", "((a * b) + c)"],
    ["a - b - c", "((a - b) - c)"],
    ["a / b / c", "((a / b) / c)"],
    ["a ^ b ^ c", "(a ^ (b ^ c))"],
    ["a * b ^ c", "(a * (b ^ c))"],
    ["a % b atan2 c * d", "(((a % b) atan2 c) * d)"],
    ["a + b > c - d", "((a + b) > (c - d))"],
    ["a > b == c", "((a > b) == c)"],
    ["a and b or c and d", "((a and b) or (c and d))"],
    ["a or b unless c", "(a or (b unless c))"],
    ["a unless b and c", "((a unless b) and c)"],
    ["a == b and c > d", "((a == b) and (c > d))"],
    ["a or b or c", "((a or b) or c)"],
    ["(a + b) * c", "(paren((a + b)) * c)"],
    ["-2 ^ 2", "-((2 ^ 2))"],
    ["-a ^ b", "-((a ^ b))"],
    ["-a * b", "(-(a) * b)"],
    ["-a + b", "(-(a) + b)"],
    ["a * -b ^ c", "(a * -((b ^ c)))"],
    ["a ^ -b", "(a ^ -(b))"],
    ["a ^ -b ^ c", "(a ^ -((b ^ c)))"],
    ["a ^ -b * c", "((a ^ -(b)) * c)"],
    ["2 ^ -1", "(2 ^ -1)"],
    ["- - a", "-(-(a))"],
    ["+a", "+(a)"],
    ["-1 + 2", "(-1 + 2)"],
    ["1 - -1", "(1 - -1)"],
    ["--1", "1"],
    ["-(1)", "-(paren(1))"],
    ["a + b offset 5m", "(a + b)"],
    ["-a offset 5m", "-(a)"],
    ["-rate(a[5m])", "-(rate(a[300000]))"],
    ["a + b @ 5", "(a + b)"],
    ["a ^ max_over_time(b[5m:1m])", "(a ^ max_over_time(b[300000:60000]))"],
    ["sum(a) by (x) + b", "(sum(a) + b)"],
    ["a > bool b", "(a > bool b)"],
  ])("%s", (q, want) => {
    expect(shape(p(q))).toBe(want);
  });

  it("folds signs into number literals", () => {
    const e = p("-1.5");
    expect(e).toMatchObject({ type: "NumberLiteral", val: -1.5, pos: { start: 0, end: 4 } });
    expect(p("- -Inf")).toMatchObject({ type: "NumberLiteral", val: Infinity });
    expect(Object.is((p("-0") as { val: number }).val, -0)).toBe(true);
  });
});

describe("literals", () => {
  it.each<[string, number]>([
    ["1", 1],
    ["0x1f", 31],
    ["1e3", 1000],
    ["+Inf", Infinity],
    ["-Inf", -Infinity],
    ["5m", 300],
    ["1h30m", 5400],
    ["10ms", 0.01],
  ])("%s is the scalar %d", (q, v) => {
    expect(p(q)).toMatchObject({ type: "NumberLiteral", val: v });
  });

  it("reads strings with all quote kinds", () => {
    expect(p('"a\\nb"')).toMatchObject({ type: "StringLiteral", val: "a\nb" });
    expect(p("'a\"b'")).toMatchObject({ type: "StringLiteral", val: 'a"b' });
    expect(p("`a\\nb`")).toMatchObject({ type: "StringLiteral", val: "a\\nb" });
  });

  it("ignores comments", () => {
    expect(shape(p("# leading\nfoo # trailing\n + # middle\n bar"))).toBe("(foo + bar)");
  });
});

describe("vector selectors", () => {
  const sel = (q: string): VectorSelector => p(q) as VectorSelector;

  it("puts the name given before the braces last among the matchers", () => {
    const vs = sel('foo{a="b",c!="d",e=~"f.*",g!~"h"}');
    expect(vs.name).toBe("foo");
    expect(vs.matchers.map((m) => `${m.name}${m.type}${m.value}`)).toEqual(["a=b", "c!=d", "e=~f.*", "g!~h", "__name__=foo"]);
    expect(vs.matchers[2]!.re!.test("f\nx")).toBe(true); // . matches newlines, fully anchored
    expect(vs.matchers[2]!.re!.test("xf")).toBe(false);
    expect(vs.pos).toEqual({ start: 0, end: 33 });
  });

  it("accepts quoted UTF-8 names", () => {
    const vs = sel('{"my.metric", "label.name"="v", other=~"x"}');
    expect(vs.name).toBe("my.metric");
    expect(vs.matchers.map((m) => `${m.name}${m.type}${m.value}`)).toEqual(["__name__=my.metric", "label.name=v", "other=~x"]);
  });

  it("leaves the name empty for explicit or repeated __name__ matchers", () => {
    expect(sel('{__name__="foo"}').name).toBe("");
    expect(sel('{"foo", "bar"}').name).toBe("");
    expect(sel('{"foo", __name__=~"b.*"}').name).toBe("");
  });

  it("accepts keywords as metric names and as label names", () => {
    for (const name of ["sum", "by", "without", "offset", "and", "or", "unless", "start", "end", "step", "range", "count_values", "topk"]) {
      expect(sel(name).name).toBe(name);
      expect(sel(`${name}{job="x"}`).name).toBe(name);
    }
    expect(sel('foo{by="a", on="b", sum="c", offset="d"}').matchers).toHaveLength(5);
    expect(sel("foo:bar:rate5m").name).toBe("foo:bar:rate5m");
  });

  it("allows trailing commas and empty braces after a name", () => {
    expect(sel('foo{a="b",}').matchers).toHaveLength(2);
    expect(sel("foo{}").matchers).toHaveLength(1);
    expect(sel('{a="b"}').name).toBe("");
  });

  it("parses offset and @ in either order", () => {
    expect(sel("foo offset 5m")).toMatchObject({ offset: 300_000, at: null });
    expect(sel("foo offset -1h30m")).toMatchObject({ offset: -5_400_000 });
    expect(sel("foo offset 90")).toMatchObject({ offset: 90_000 });
    expect(sel("foo @ 1609459200")).toMatchObject({ at: { kind: "timestamp", ms: 1_609_459_200_000 } });
    expect(sel("foo @ 1609459200.5 offset 1m")).toMatchObject({ at: { kind: "timestamp", ms: 1_609_459_200_500 }, offset: 60_000 });
    expect(sel("foo offset 1m @ -10")).toMatchObject({ at: { kind: "timestamp", ms: -10_000 }, offset: 60_000 });
    expect(sel("foo @ start()")).toMatchObject({ at: { kind: "start" } });
    expect(sel("foo @ END()")).toMatchObject({ at: { kind: "end" } });
    expect(sel("foo @ 1m")).toMatchObject({ at: { kind: "timestamp", ms: 60_000 } });
    expect(sel("foo @ -1.0005")).toMatchObject({ at: { kind: "timestamp", ms: -1001 } });
    expect(sel("foo offset 5m @ 10").pos).toEqual({ start: 0, end: 18 });
  });
});

describe("range selectors and subqueries", () => {
  it("parses range selectors", () => {
    const m = p('rate(foo{a="b"}[5m] offset 1m @ end())') as Call;
    const ms = m.args[0] as MatrixSelector;
    expect(ms.type).toBe("MatrixSelector");
    expect(ms.range).toBe(300_000);
    expect(ms.vectorSelector).toMatchObject({ name: "foo", offset: 60_000, at: { kind: "end" } });
    expect(ms.pos).toEqual({ start: 5, end: 37 });
  });

  it("takes plain numbers as seconds", () => {
    expect(p("foo[90]")).toMatchObject({ type: "MatrixSelector", range: 90_000 });
    expect(p("foo[1.5]")).toMatchObject({ range: 1500 });
    expect(p("foo[+5m]")).toMatchObject({ range: 300_000 });
  });

  it("parses subqueries with and without a step", () => {
    const s = p("rate(foo[1m])[1h:5m] offset 10m @ 100") as SubqueryExpr;
    expect(s).toMatchObject({ type: "SubqueryExpr", range: 3_600_000, step: 300_000, offset: 600_000, at: { kind: "timestamp", ms: 100_000 } });
    expect((s.expr as Call).func.name).toBe("rate");
    expect(p("foo[1h:]")).toMatchObject({ type: "SubqueryExpr", range: 3_600_000, step: 0 });
    expect(p("(a + b)[ 5m : 30s ]")).toMatchObject({ type: "SubqueryExpr", step: 30_000, expr: { type: "ParenExpr" } });
    expect(p("foo offset 5m [10m:1m]")).toMatchObject({ type: "SubqueryExpr", expr: { type: "VectorSelector", offset: 300_000 } });
    expect(p("min_over_time(rate(x[5m])[30m:1m])")).toMatchObject({ type: "Call", args: [{ type: "SubqueryExpr" }] });
  });
});

describe("aggregations", () => {
  const agg = (q: string): AggregateExpr => p(q) as AggregateExpr;

  it("accepts the grouping clause before or after the arguments", () => {
    const a = agg("sum by (job, instance) (rate(x[5m]))");
    const b = agg("sum(rate(x[5m])) by (job, instance)");
    expect(normalize(a)).toEqual(normalize(b));
    expect(a).toMatchObject({ op: "sum", grouping: ["job", "instance"], without: false, param: null });
    expect(agg("avg without (a) (x)")).toMatchObject({ op: "avg", grouping: ["a"], without: true });
    expect(agg("max(x) without ()")).toMatchObject({ grouping: [], without: true });
    expect(agg("count by () (x)")).toMatchObject({ grouping: [], without: false });
    expect(agg('sum by ("label.with.dots", job,) (x)').grouping).toEqual(["label.with.dots", "job"]);
    expect(agg("sum by (sum, by, on, offset, bool, group_left, a:b) (x)").grouping).toEqual(["sum", "by", "on", "offset", "bool", "group_left", "a:b"]);
    expect(agg("SUM BY (a) (x)")).toMatchObject({ op: "sum", grouping: ["a"] });
  });

  it("takes a parameter for topk, bottomk, quantile, count_values, limitk, limit_ratio", () => {
    expect(agg("topk(5, x)")).toMatchObject({ op: "topk", param: { type: "NumberLiteral", val: 5 } });
    expect(agg("bottomk by (a) (scalar(y), x)")).toMatchObject({ op: "bottomk", param: { type: "Call" } });
    expect(agg("quantile(0.9, x)")).toMatchObject({ op: "quantile", param: { val: 0.9 } });
    expect(agg('count_values("v", x)')).toMatchObject({ op: "count_values", param: { type: "StringLiteral", val: "v" } });
    expect(agg("limitk(2, x)")).toMatchObject({ op: "limitk" });
    expect(agg("limit_ratio(-0.5, x)")).toMatchObject({ op: "limit_ratio", param: { val: -0.5 } });
  });

  it("positions cover the trailing grouping clause", () => {
    expect(agg("sum(x) by (a)").pos).toEqual({ start: 0, end: 13 });
    expect(agg("sum by (a) (x)").pos).toEqual({ start: 0, end: 14 });
  });
});

describe("function calls", () => {
  it("resolves functions with their signatures", () => {
    const c = p('label_replace(up, "dst", "$1", "src", "(.*)")') as Call;
    expect(c.func).toMatchObject({ name: "label_replace", returnType: "vector", variadic: 0 });
    expect(c.args).toHaveLength(5);
    expect(p("time()")).toMatchObject({ type: "Call", func: { name: "time" }, args: [] });
    expect(p("rate (x[5m])")).toMatchObject({ type: "Call" });
    expect(p("round(x)")).toMatchObject({ type: "Call" });
    expect(p("round(x, 0.5)")).toMatchObject({ type: "Call" });
    expect(p('label_join(x, "d", ",", "a", "b", "c")')).toMatchObject({ type: "Call" });
    expect(p('sort_by_label(x, "a", "b")')).toMatchObject({ type: "Call" });
    expect(p("hour()")).toMatchObject({ type: "Call" });
    expect(p('histogram_quantiles(x, "q", 0.1, 0.5, 0.9)')).toMatchObject({ type: "Call" });
  });

  it("treats start/end/step/range as functions only before a parenthesis", () => {
    expect(p("step() + range() + start() + end()")).toMatchObject({ type: "BinaryExpr" });
    expect(p("start")).toMatchObject({ type: "VectorSelector", name: "start" });
    expect(p("min_of(1, 2)")).toMatchObject({ type: "Call", func: { returnType: "scalar" } });
  });

  it("allows info with a label-only selector, even an empty one", () => {
    expect(p('info(rate(x[5m]), {k8s_cluster=~".+"})')).toMatchObject({ type: "Call" });
    expect(p("info(x, {})")).toMatchObject({ type: "Call" });
    expect(p("info(x)")).toMatchObject({ type: "Call" });
  });
});

describe("binary expressions and vector matching", () => {
  const bin = (q: string): BinaryExpr => p(q) as BinaryExpr;

  it("records matching only between instant vectors", () => {
    expect(bin("a + b").matching).toEqual({ card: "one-to-one", matchingLabels: [], on: false, include: [] });
    expect(bin("a + 1").matching).toBeNull();
    expect(bin("1 + 1").matching).toBeNull();
    expect(bin("a + on() 1").matching).toBeNull();
    expect(bin("scalar(a) * b").matching).toBeNull();
  });

  it("parses on/ignoring and group_left/group_right", () => {
    expect(bin("a * on(x, y) group_left(z) b").matching).toEqual({ card: "many-to-one", matchingLabels: ["x", "y"], on: true, include: ["z"] });
    expect(bin("a * ignoring(x) group_right b").matching).toEqual({ card: "one-to-many", matchingLabels: ["x"], on: false, include: [] });
    expect(bin("a * on() b").matching).toMatchObject({ on: true, matchingLabels: [] });
    expect(bin('a / on("a.b") group_left("c.d") b').matching).toMatchObject({ matchingLabels: ["a.b"], include: ["c.d"] });
  });

  it("makes set operators many-to-many", () => {
    expect(bin("a and b").matching).toMatchObject({ card: "many-to-many" });
    expect(bin("a or on(x) b").matching).toMatchObject({ card: "many-to-many", on: true, matchingLabels: ["x"] });
    expect(bin("a unless ignoring(x) b").matching).toMatchObject({ card: "many-to-many" });
  });

  it("accepts bool on comparisons, before the matching clause", () => {
    expect(bin("a > bool on(x) b")).toMatchObject({ returnBool: true, op: ">", matching: { on: true } });
    expect(bin("1 == bool 1")).toMatchObject({ returnBool: true, matching: null });
    expect(bin("a != 1")).toMatchObject({ returnBool: false });
  });

  it("spells the operators as in the AST", () => {
    const ops = ["+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless"];
    for (const op of ops) {
      const q = ["==", "!=", ">", "<", ">=", "<="].includes(op) ? `a ${op} b` : `a ${op} b`;
      expect(bin(q).op).toBe(op);
    }
    expect(bin("a AND b").op).toBe("and");
    expect(bin("a ATAN2 b").op).toBe("atan2");
  });
});

describe("positions", () => {
  it("records [start, end) ranges", () => {
    const e = p("sum(rate(foo[5m])) / ignoring(x) -bar") as BinaryExpr;
    expect(e.pos).toEqual({ start: 0, end: 37 });
    expect(e.lhs.pos).toEqual({ start: 0, end: 18 });
    expect(e.rhs).toMatchObject({ type: "UnaryExpr", pos: { start: 33, end: 37 } });
    expect(p("(1)").pos).toEqual({ start: 0, end: 3 });
    expect(p('"x"').pos).toEqual({ start: 0, end: 3 });
    expect(p("foo[5m:1m]").pos).toEqual({ start: 0, end: 10 });
  });
});

describe("options", () => {
  it("can refuse experimental functions and aggregations like Prometheus' default", () => {
    const opts = { enableExperimentalFunctions: false };
    expect(() => parseExpr('sort_by_label(x, "a")', opts)).toThrow('1:1: parse error: function "sort_by_label" is not enabled');
    expect(() => parseExpr("limitk(1, x)", opts)).toThrow(
      "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions",
    );
    expect(formatExpr(parseExpr("rate(x[5m])", opts))).toBe("rate(x[5m])");
  });
});
