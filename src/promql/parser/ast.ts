import type { Matcher } from "../../model/matchers.js";

/** The PromQL syntax tree, shaped like Prometheus' promql/parser AST. Times and
 * durations are integer milliseconds. `pos` is the [start, end) offset range in the
 * query text, for error messages. */

export type ValueType = "scalar" | "vector" | "matrix" | "string" | "none";

export interface PosRange {
  start: number;
  end: number;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | Call;

export interface NumberLiteral {
  type: "NumberLiteral";
  val: number;
  pos: PosRange;
}

export interface StringLiteral {
  type: "StringLiteral";
  val: string;
  pos: PosRange;
}

/** `@ start()` / `@ end()` are resolved by the engine, so they are kept by name. */
export type AtModifier = { kind: "timestamp"; ms: number } | { kind: "start" } | { kind: "end" } | null;

export interface VectorSelector {
  type: "VectorSelector";
  /** Metric name if given by name (`up{...}` or `{"up", ...}`), else "". Always also
   * present among `matchers` as a `__name__` equality matcher. */
  name: string;
  matchers: Matcher[];
  offset: number;
  at: AtModifier;
  pos: PosRange;
}

export interface MatrixSelector {
  type: "MatrixSelector";
  /** Carries the offset and @ modifier, as in Prometheus. */
  vectorSelector: VectorSelector;
  range: number;
  pos: PosRange;
}

export interface SubqueryExpr {
  type: "SubqueryExpr";
  expr: Expr;
  range: number;
  /** 0 when omitted (`[1h:]`): the engine uses the default evaluation interval. */
  step: number;
  offset: number;
  at: AtModifier;
  pos: PosRange;
}

export interface ParenExpr {
  type: "ParenExpr";
  expr: Expr;
  pos: PosRange;
}

export interface UnaryExpr {
  type: "UnaryExpr";
  op: "+" | "-";
  expr: Expr;
  pos: PosRange;
}

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%" | "^" | "atan2";
export type ComparisonOp = "==" | "!=" | ">" | "<" | ">=" | "<=";
export type SetOp = "and" | "or" | "unless";
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type Cardinality = "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";

export interface VectorMatching {
  card: Cardinality;
  /** Labels of on(...) / ignoring(...). */
  matchingLabels: string[];
  /** true for on(...), false for ignoring(...) or no modifier. */
  on: boolean;
  /** Extra labels of group_left(...) / group_right(...). */
  include: string[];
}

export interface BinaryExpr {
  type: "BinaryExpr";
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** Set when both sides are instant vectors (Prometheus sets it for vector/vector). */
  matching: VectorMatching | null;
  returnBool: boolean;
  pos: PosRange;
}

export type AggregateOp =
  | "sum"
  | "min"
  | "max"
  | "avg"
  | "group"
  | "stddev"
  | "stdvar"
  | "count"
  | "count_values"
  | "bottomk"
  | "topk"
  | "quantile"
  | "limitk"
  | "limit_ratio";

export interface AggregateExpr {
  type: "AggregateExpr";
  op: AggregateOp;
  expr: Expr;
  /** The parameter of topk/bottomk/quantile/count_values/limitk/limit_ratio. */
  param: Expr | null;
  grouping: string[];
  without: boolean;
  pos: PosRange;
}

export interface FunctionSignature {
  name: string;
  argTypes: ValueType[];
  /** How many trailing arguments may be left out (0 = none); -1 = last repeats. */
  variadic: number;
  returnType: ValueType;
}

export interface Call {
  type: "Call";
  func: FunctionSignature;
  args: Expr[];
  pos: PosRange;
}
