import { METRIC_NAME } from "../../model/labels.js";
import { matchesEmpty } from "../../model/matchers.js";
import type { BinaryExpr, BinaryOp, Call, Expr, ValueType, VectorSelector } from "./ast.js";
import { ParseError } from "./errors.js";
import { goQuote } from "./quote.js";

/** The type checks Prometheus runs on a syntactically valid expression, in Prometheus'
 * order (children before parents, left before right), so the first error reported is
 * the one Prometheus reports. Also finalises binary vector matching: set operators are
 * many-to-many, and matching is dropped unless both sides are instant vectors. */

/** The value type of an expression. */
export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case "AggregateExpr":
    case "VectorSelector":
      return "vector";
    case "Call":
      return e.func.returnType;
    case "MatrixSelector":
    case "SubqueryExpr":
      return "matrix";
    case "NumberLiteral":
      return "scalar";
    case "StringLiteral":
      return "string";
    case "ParenExpr":
    case "UnaryExpr":
      return typeOf(e.expr);
    case "BinaryExpr": {
      // Iterative along the left spine: long `a or b or c ...` chains are left-deep.
      let cur: Expr = e;
      while (cur.type === "BinaryExpr") {
        if (typeOf(cur.rhs) !== "scalar") return "vector";
        cur = cur.lhs;
      }
      return typeOf(cur) === "scalar" ? "scalar" : "vector";
    }
  }
}

/** How Prometheus' messages name a value type. */
export function documentedType(t: ValueType): string {
  return t === "vector" ? "instant vector" : t === "matrix" ? "range vector" : t;
}

const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(["==", "!=", ">", "<", ">=", "<="]);
const SET_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(["and", "or", "unless"]);

export function isComparisonOp(op: BinaryOp): boolean {
  return COMPARISON_OPS.has(op);
}

export function isSetOp(op: BinaryOp): boolean {
  return SET_OPS.has(op);
}

/** Checks `expr` (parsed from `input`); throws the first ParseError. `namedOutside`
 * holds the selectors whose metric name was written before the braces. */
export function checkExpr(input: string, expr: Expr, namedOutside: Set<VectorSelector>): void {
  new Checker(input, namedOutside).check(expr);
}

class Checker {
  constructor(
    private readonly input: string,
    private readonly namedOutside: Set<VectorSelector>,
  ) {}

  private fail(at: number, msg: string): never {
    throw new ParseError(this.input, at, msg);
  }

  private expectType(e: Expr, want: ValueType, context: string): void {
    const t = this.check(e);
    if (t !== want) this.fail(e.pos.start, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  }

  check(e: Expr, bypassEmptyMatcherCheck = false): ValueType {
    switch (e.type) {
      case "AggregateExpr":
        this.expectType(e.expr, "vector", "aggregation expression");
        if (e.param !== null) {
          this.expectType(e.param, e.op === "count_values" ? "string" : "scalar", "aggregation parameter");
        }
        return "vector";
      case "BinaryExpr": {
        // Left operands first, iteratively: long operator chains are left-deep trees.
        const spine: BinaryExpr[] = [];
        let cur: Expr = e;
        while (cur.type === "BinaryExpr") {
          spine.push(cur);
          cur = cur.lhs;
        }
        let lt = this.check(cur);
        for (let i = spine.length - 1; i >= 0; i--) {
          const b = spine[i]!;
          lt = this.checkBinary(b, lt, this.check(b.rhs));
        }
        return lt;
      }
      case "Call":
        this.checkCall(e);
        return e.func.returnType;
      case "ParenExpr":
        return this.check(e.expr);
      case "UnaryExpr": {
        const t = this.check(e.expr);
        if (t !== "scalar" && t !== "vector") {
          this.fail(
            e.pos.start,
            `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`,
          );
        }
        return t;
      }
      case "SubqueryExpr": {
        const t = this.check(e.expr);
        if (t !== "vector") this.fail(e.pos.start, `subquery is only allowed on instant vector, got ${t} instead`);
        return "matrix";
      }
      case "MatrixSelector":
        this.check(e.vectorSelector);
        return "matrix";
      case "VectorSelector":
        this.checkSelector(e, bypassEmptyMatcherCheck);
        return "vector";
      case "NumberLiteral":
        return "scalar";
      case "StringLiteral":
        return "string";
    }
  }

  private checkSelector(vs: VectorSelector, bypassEmptyMatcherCheck: boolean): void {
    if (this.namedOutside.has(vs)) {
      // The name matcher of `foo{...}` is the last one.
      for (let i = 0; i < vs.matchers.length - 1; i++) {
        const m = vs.matchers[i]!;
        if (m.name === METRIC_NAME) {
          this.fail(vs.pos.start, `metric name must not be set twice: ${goQuote(vs.name)} or ${goQuote(m.value)}`);
        }
      }
      return;
    }
    if (!bypassEmptyMatcherCheck && vs.matchers.every(matchesEmpty)) {
      this.fail(vs.pos.start, "vector selector must contain at least one non-empty matcher");
    }
  }

  /** The position Prometheus reports for operator errors: the first non-space after the
   * left operand. */
  private opPos(e: BinaryExpr): number {
    let i = e.lhs.pos.end;
    const s = this.input;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
    return i;
  }

  /** The checks of one binary operator, given its (checked) operand types. */
  private checkBinary(e: BinaryExpr, lt: ValueType, rt: ValueType): ValueType {
    const m = e.matching;
    if (e.returnBool && !isComparisonOp(e.op)) this.fail(this.opPos(e), "bool modifier can only be used on comparison operators");
    if (isComparisonOp(e.op) && !e.returnBool && lt === "scalar" && rt === "scalar") {
      this.fail(this.opPos(e), "comparisons between scalars must use BOOL modifier");
    }
    if (m !== null) {
      if (isSetOp(e.op) && m.card === "one-to-one") m.card = "many-to-many";
      if (m.on) {
        for (const l of m.matchingLabels) {
          if (m.include.includes(l)) this.fail(this.opPos(e), `label ${goQuote(l)} must not occur in ON and GROUP clause at once`);
        }
      }
    }
    if (lt !== "scalar" && lt !== "vector") this.fail(e.lhs.pos.start, "binary expression must contain only scalar and instant vector types");
    if (rt !== "scalar" && rt !== "vector") this.fail(e.rhs.pos.start, "binary expression must contain only scalar and instant vector types");
    if (m !== null) {
      if (lt !== "vector" || rt !== "vector") {
        if (m.matchingLabels.length > 0) this.fail(e.pos.start, "vector matching only allowed between instant vectors");
        e.matching = null;
      } else if (isSetOp(e.op)) {
        if (m.card === "one-to-many" || m.card === "many-to-one") this.fail(e.pos.start, `no grouping allowed for ${goQuote(e.op)} operation`);
        if (m.card !== "many-to-many") this.fail(e.pos.start, "set operations must always be many-to-many");
      }
    }
    if ((lt === "scalar" || rt === "scalar") && isSetOp(e.op)) {
      this.fail(e.pos.start, `set operator ${goQuote(e.op)} not allowed in binary scalar expression`);
    }
    return lt === "scalar" && rt === "scalar" ? "scalar" : "vector";
  }

  private checkCall(e: Call): void {
    const f = e.func;
    const nargs = f.argTypes.length;
    const name = goQuote(f.name);
    if (f.variadic === 0) {
      if (nargs !== e.args.length) this.fail(e.pos.start, `expected ${nargs} argument(s) in call to ${name}, got ${e.args.length}`);
    } else {
      const min = nargs - 1;
      if (min > e.args.length) {
        this.fail(e.pos.start, `expected at least ${min} argument(s) in call to ${name}, got ${e.args.length}`);
      } else if (f.variadic > 0 && min + f.variadic < e.args.length) {
        this.fail(e.pos.start, `expected at most ${min + f.variadic} argument(s) in call to ${name}, got ${e.args.length}`);
      }
    }
    let bypass: Expr | null = null;
    if (f.name === "info" && e.args.length > 1) {
      const sel = e.args[1]!;
      const t = typeOf(sel);
      if (t !== "vector") this.fail(e.pos.start, `expected type instant vector in call to function ${name}, got ${documentedType(t)}`);
      if (sel.type === "VectorSelector" && this.namedOutside.has(sel)) {
        this.fail(sel.pos.start, "expected label selectors only, got vector selector instead");
      } else if (sel.type === "VectorSelector") {
        bypass = sel;
      } else {
        this.fail(sel.pos.start, "expected label selectors only");
      }
    }
    for (let i = 0; i < e.args.length; i++) {
      let k = i;
      if (k >= nargs) {
        if (f.variadic === 0) break;
        k = nargs - 1;
      }
      const arg = e.args[i]!;
      const want = f.argTypes[k]!;
      const t = this.check(arg, arg === bypass);
      if (t !== want) this.fail(arg.pos.start, `expected type ${documentedType(want)} in call to function ${name}, got ${documentedType(t)}`);
    }
  }
}
