import { describe, expect, it } from "vitest";
import { newMatcher, type Matcher } from "../../../src/model/matchers.js";
import type { AtModifier, Call, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from "../../../src/promql/parser/ast.js";
import { collectSelectors, withAtModifier } from "../../../src/promql/promqltest/ast_walk.js";

// Hand-built syntax trees: these tests are about the walks, not about parsing.
const pos = { start: 0, end: 0 };

function vs(name: string, at: AtModifier = null): VectorSelector {
  return { type: "VectorSelector", name, matchers: [newMatcher("=", "__name__", name)], offset: 0, at, pos };
}

function ms(name: string): MatrixSelector {
  return { type: "MatrixSelector", vectorSelector: vs(name), range: 300_000, pos };
}

function call(name: string, ...args: Expr[]): Call {
  return { type: "Call", func: { name, argTypes: [], variadic: 0, returnType: "vector" }, args, pos };
}

function sub(expr: Expr, at: AtModifier = null): SubqueryExpr {
  return { type: "SubqueryExpr", expr, range: 600_000, step: 60_000, offset: 0, at, pos };
}

/** rate(a[5m]) + on() sum by (x) (b) * -(c) + max_over_time(rate(d[5m])[10m:1m]) */
function tree(): Expr {
  return {
    type: "BinaryExpr",
    op: "+",
    lhs: {
      type: "BinaryExpr",
      op: "+",
      lhs: call("rate", ms("a")),
      rhs: {
        type: "BinaryExpr",
        op: "*",
        lhs: { type: "AggregateExpr", op: "sum", expr: vs("b"), param: null, grouping: ["x"], without: false, pos },
        rhs: { type: "UnaryExpr", op: "-", expr: { type: "ParenExpr", expr: vs("c"), pos }, pos },
        matching: { card: "one-to-one", matchingLabels: [], on: true, include: [] },
        returnBool: false,
        pos,
      },
      matching: null,
      returnBool: false,
      pos,
    },
    rhs: call("max_over_time", sub(call("rate", ms("d")))),
    matching: null,
    returnBool: false,
    pos,
  };
}

const names = (sels: Matcher[][]) => sels.map((m) => m[0]!.value);

describe("collectSelectors", () => {
  it("finds every selector, also inside range selectors, subqueries and aggregations", () => {
    expect(names(collectSelectors(tree()))).toEqual(["a", "b", "c", "d"]);
  });

  it("returns all matchers of a selector", () => {
    const v = vs("m");
    v.matchers.push(newMatcher("=~", "job", "a.*"));
    expect(collectSelectors(v)).toEqual([v.matchers]);
    expect(collectSelectors({ type: "NumberLiteral", val: 1, pos })).toEqual([]);
  });
});

describe("withAtModifier", () => {
  const at = (e: unknown) => (e as { at: AtModifier }).at;

  it("puts @ t on every selector and subquery outside subqueries", () => {
    const e = tree() as Extract<Expr, { type: "BinaryExpr" }>;
    expect(withAtModifier(e, 5000)).toBe(e);
    const lhs = e.lhs as Extract<Expr, { type: "BinaryExpr" }>;
    const rate = lhs.lhs as Call;
    expect(at((rate.args[0] as MatrixSelector).vectorSelector)).toEqual({ kind: "timestamp", ms: 5000 });
    const mul = lhs.rhs as Extract<Expr, { type: "BinaryExpr" }>;
    expect(at((mul.lhs as Extract<Expr, { type: "AggregateExpr" }>).expr)).toEqual({ kind: "timestamp", ms: 5000 });
    const subq = (e.rhs as Call).args[0] as SubqueryExpr;
    expect(subq.at).toEqual({ kind: "timestamp", ms: 5000 });
    // Inside the subquery nothing changes.
    expect(((subq.expr as Call).args[0] as MatrixSelector).vectorSelector.at).toBeNull();
  });

  it("keeps existing @ modifiers and leaves subqueries that have one alone", () => {
    const inner = vs("x");
    const e = call("sum_over_time", sub(inner, { kind: "end" }));
    const kept = vs("y", { kind: "timestamp", ms: 1 });
    withAtModifier(e, 9);
    withAtModifier(kept, 9);
    expect((e.args[0] as SubqueryExpr).at).toEqual({ kind: "end" });
    expect(inner.at).toBeNull();
    expect(kept.at).toEqual({ kind: "timestamp", ms: 1 });
  });

  it("gives up on time-dependent functions outside subqueries only", () => {
    expect(withAtModifier(call("timestamp", vs("a")), 1)).toBeNull();
    expect(withAtModifier(call("time"), 1)).toBeNull();
    expect(withAtModifier(call("predict_linear", ms("a"), { type: "NumberLiteral", val: 1, pos }), 1)).toBeNull();
    expect(withAtModifier(call("max_over_time", sub(call("time"))), 1)).not.toBeNull();
  });
});
