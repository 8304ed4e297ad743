import { METRIC_NAME } from "../../model/labels.js";
import { MatcherError, newMatcher, type Matcher, type MatchType } from "../../model/matchers.js";
import type {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryExpr,
  BinaryOp,
  Call,
  Cardinality,
  Expr,
  MatrixSelector,
  NumberLiteral,
  SubqueryExpr,
  VectorMatching,
  VectorSelector,
} from "./ast.js";
import { checkExpr } from "./check.js";
import { ParseError } from "./errors.js";
import { EXPERIMENTAL_AGGREGATIONS, EXPERIMENTAL_FUNCTIONS, getFunction } from "./functions.js";
import { AGGREGATORS, describeToken, Lexer, type Token, type TokenType } from "./lexer.js";
import {
  durationOutOfRange,
  formatFloatF,
  goRound,
  LiteralError,
  parseDurationLiteral,
  parseNumberLiteral,
  secondsToMs,
} from "./literals.js";
import { goQuote, unquote } from "./quote.js";

export interface ParseOptions {
  /** Prometheus' `promql-experimental-functions` feature (limitk, limit_ratio,
   * sort_by_label, info, ...). edgeprom implements them, so this defaults to true. */
  enableExperimentalFunctions?: boolean;
}

/** Parses a PromQL expression and type-checks it as Prometheus does. Throws ParseError
 * with Prometheus' wording and the offending position. */
export function parseExpr(input: string, options: ParseOptions = {}): Expr {
  return guardDepth(input, () => {
    const p = new Parser(input, options);
    const expr = p.parseTop();
    checkExpr(input, expr, p.namedOutside);
    if (nestingDepth(expr) > MAX_NESTING) throw new ParseError(input, 0, `expression is nested too deeply (more than ${MAX_NESTING} levels)`);
    return expr;
  });
}

/**
 * The deepest nesting a parsed expression may have. The evaluator, printer and rule
 * code recurse through the tree and a Worker's stack holds about twice this; Go's
 * growable stacks let Prometheus go further, so only absurd queries meet the limit.
 * The left spine of an operator chain (1+1+...+1, thousands of terms) does not count:
 * the evaluator walks it in a loop.
 */
export const MAX_NESTING = 1000;

function nestingDepth(root: Expr): number {
  let max = 0;
  const todo: [Expr, number][] = [[root, 1]];
  for (let item = todo.pop(); item !== undefined; item = todo.pop()) {
    const [e, d] = item;
    if (d > max) max = d;
    switch (e.type) {
      case "ParenExpr":
      case "UnaryExpr":
      case "SubqueryExpr":
        todo.push([e.expr, d + 1]);
        break;
      case "AggregateExpr":
        todo.push([e.expr, d + 1]);
        if (e.param !== null) todo.push([e.param, d + 1]);
        break;
      case "Call":
        for (const a of e.args) todo.push([a, d + 1]);
        break;
      case "BinaryExpr":
        todo.push([e.lhs, e.lhs.type === "BinaryExpr" ? d : d + 1], [e.rhs, d + 1]);
        break;
      default:
        break;
    }
  }
  return max;
}

/** Parses a bare series selector (`up{job="x"}`, `{"utf8.name"}`), as the HTTP API's
 * `match[]` parameters and the promqltest `load` lines need. Like Prometheus'
 * ParseMetricSelector it does not type-check; callers decide about empty selectors. */
export function parseMetricSelector(input: string): VectorSelector {
  return guardDepth(input, () => new Parser(input, {}).parseSelectorTop());
}

function guardDepth<T>(input: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    // Only absurdly deep nesting overflows the stack; report it as a parse error.
    if (e instanceof RangeError) throw new ParseError(input, 0, "expression is nested too deeply");
    throw e;
  }
}

/** Binding power of the binary operators, lowest first, as in Prometheus. */
const PRECEDENCE: Partial<Record<TokenType, number>> = {
  LOR: 1,
  LAND: 2,
  LUNLESS: 2,
  EQLC: 3,
  NEQ: 3,
  LTE: 3,
  LSS: 3,
  GTE: 3,
  GTR: 3,
  TRIM_UPPER: 3,
  TRIM_LOWER: 3,
  ADD: 4,
  SUB: 4,
  MUL: 5,
  DIV: 5,
  MOD: 5,
  ATAN2: 5,
  POW: 6,
};
const POW_PRECEDENCE = 6;

const BINARY_OPS: Partial<Record<TokenType, BinaryOp>> = {
  LOR: "or",
  LAND: "and",
  LUNLESS: "unless",
  EQLC: "==",
  NEQ: "!=",
  LTE: "<=",
  LSS: "<",
  GTE: ">=",
  GTR: ">",
  ADD: "+",
  SUB: "-",
  MUL: "*",
  DIV: "/",
  MOD: "%",
  ATAN2: "atan2",
  POW: "^",
};

const MATCH_OPS: Partial<Record<TokenType, MatchType>> = {
  EQL: "=",
  NEQ: "!=",
  EQL_REGEX: "=~",
  NEQ_REGEX: "!~",
};

/** Words that may name a metric although the lexer reads them as keywords. */
const METRIC_KEYWORDS: ReadonlySet<TokenType> = new Set<TokenType>([
  ...AGGREGATORS,
  "BY", "WITHOUT", "OFFSET", "LAND", "LOR", "LUNLESS", "FILL", "FILL_LEFT", "FILL_RIGHT",
  "START", "END", "STEP", "RANGE", "ANCHORED", "SMOOTHED", "MAX_OF", "MIN_OF",
]);

/** Words that may be used as label names in grouping clauses. */
const LABEL_KEYWORDS: ReadonlySet<TokenType> = new Set<TokenType>([
  ...AGGREGATORS,
  "IDENTIFIER", "METRIC_IDENTIFIER", "BOOL", "BY", "GROUP_LEFT", "GROUP_RIGHT", "FILL", "FILL_LEFT",
  "FILL_RIGHT", "IGNORING", "LAND", "LOR", "LUNLESS", "OFFSET", "ON", "START", "END", "ATAN2",
  "STEP", "RANGE", "ANCHORED", "SMOOTHED", "MAX_OF", "MIN_OF",
]);

/** Words that are functions when followed by "(", and metric names otherwise. */
const FUNCTION_KEYWORDS: ReadonlySet<TokenType> = new Set<TokenType>(["START", "END", "STEP", "RANGE", "MAX_OF", "MIN_OF"]);

/** Tokens that would begin a duration expression (an experimental Prometheus feature). */
const DURATION_EXPR_START: ReadonlySet<TokenType> = new Set<TokenType>(["LEFT_PAREN", "STEP", "RANGE", "MAX_OF", "MIN_OF"]);
const DURATION_EXPR_OPS: ReadonlySet<TokenType> = new Set<TokenType>(["ADD", "SUB", "MUL", "DIV", "MOD", "POW"]);

const PARAM_AGGREGATIONS: ReadonlySet<AggregateOp> = new Set<AggregateOp>([
  "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio",
]);

const DURATION_EXPR_DISABLED = "experimental duration expression is not enabled";

interface Literal {
  seconds: number;
  start: number;
  end: number;
}

class Parser {
  private readonly lex: Lexer;
  private la: Token | null = null;
  /** The construct whose recovery rule names an unexpected token: Prometheus reports
   * most errors inside an aggregation's parentheses as "... in aggregation". */
  private ctx = "";
  private readonly experimental: boolean;
  /** Selectors whose metric name was written before the braces (`foo{...}`). */
  readonly namedOutside = new Set<VectorSelector>();

  constructor(
    private readonly input: string,
    options: ParseOptions,
  ) {
    this.lex = new Lexer(input);
    this.experimental = options.enableExperimentalFunctions ?? true;
  }

  private peek(): Token {
    return (this.la ??= this.lex.next());
  }

  private next(): Token {
    const t = this.peek();
    this.la = null;
    return t;
  }

  private fail(at: number, msg: string): never {
    throw new ParseError(this.input, at, msg);
  }

  private unexpected(t: Token, context = this.ctx, expected = ""): never {
    let msg = `unexpected ${describeToken(t)}`;
    if (context !== "") msg += ` in ${context}`;
    if (expected !== "") msg += `, expected ${expected}`;
    this.fail(t.pos, msg);
  }

  parseTop(): Expr {
    if (this.peek().type === "EOF") this.fail(0, "no expression found in input");
    const e = this.parseExpr(0);
    const t = this.peek();
    if (t.type !== "EOF") this.unexpected(t);
    return e;
  }

  parseSelectorTop(): VectorSelector {
    const t = this.peek();
    let vs: VectorSelector;
    if (t.type === "LEFT_BRACE") vs = this.parseVectorSelector(null);
    else if (t.type === "IDENTIFIER" || t.type === "METRIC_IDENTIFIER" || METRIC_KEYWORDS.has(t.type)) {
      this.next();
      vs = this.parseVectorSelector(t);
    } else this.unexpected(t);
    const end = this.peek();
    if (end.type !== "EOF") this.unexpected(end);
    return vs;
  }

  /** Precedence climbing over the binary operators binding at least `minPrec`. */
  private parseExpr(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.peek();
      const prec = PRECEDENCE[t.type];
      if (prec === undefined || prec < minPrec) return lhs;
      this.next();
      const op = BINARY_OPS[t.type];
      if (op === undefined) this.fail(t.pos, `histogram trim operator ${goQuote(t.val)} is not supported`);
      const matching = this.parseBinModifiers(lhs);
      const rhs = this.parseExpr(t.type === "POW" ? prec : prec + 1);
      lhs = {
        type: "BinaryExpr",
        op,
        lhs,
        rhs,
        matching: matching.matching,
        returnBool: matching.returnBool,
        pos: { start: lhs.pos.start, end: rhs.pos.end },
      } satisfies BinaryExpr;
    }
  }

  /** Unary +/- binds tighter than every binary operator but `^`: -2^2 is -(2^2). */
  private parseUnary(): Expr {
    const t = this.peek();
    if (t.type !== "ADD" && t.type !== "SUB") return this.parsePostfix(this.parsePrimary());
    this.next();
    const e = this.parseExpr(POW_PRECEDENCE);
    if (e.type === "NumberLiteral") {
      if (t.type === "SUB") e.val = -e.val;
      e.pos.start = t.pos;
      return e;
    }
    return { type: "UnaryExpr", op: t.type === "SUB" ? "-" : "+", expr: e, pos: { start: t.pos, end: e.pos.end } };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case "NUMBER":
      case "DURATION": {
        this.next();
        const v = t.type === "NUMBER" ? this.number(t) : this.durationSeconds(t);
        return { type: "NumberLiteral", val: v, pos: { start: t.pos, end: t.pos + t.val.length } } satisfies NumberLiteral;
      }
      case "STRING":
        this.next();
        return { type: "StringLiteral", val: unquote(t.val), pos: { start: t.pos, end: t.pos + t.val.length } };
      case "LEFT_PAREN": {
        this.next();
        const e = this.parseExpr(0);
        const close = this.next();
        if (close.type !== "RIGHT_PAREN") this.unexpected(close);
        return { type: "ParenExpr", expr: e, pos: { start: t.pos, end: close.pos + 1 } };
      }
      case "LEFT_BRACE":
        return this.parseVectorSelector(null);
      case "IDENTIFIER":
        this.next();
        return this.peek().type === "LEFT_PAREN" ? this.parseCall(t) : this.parseVectorSelector(t);
      case "METRIC_IDENTIFIER":
        this.next();
        return this.parseVectorSelector(t);
    }
    if (AGGREGATORS.has(t.type)) {
      this.next();
      const n = this.peek().type;
      if (n === "LEFT_PAREN" || n === "BY" || n === "WITHOUT") return this.parseAggregate(t);
      return this.parseVectorSelector(t);
    }
    if (FUNCTION_KEYWORDS.has(t.type)) {
      this.next();
      return this.peek().type === "LEFT_PAREN" ? this.parseCall(t) : this.parseVectorSelector(t);
    }
    if (METRIC_KEYWORDS.has(t.type)) {
      this.next();
      return this.parseVectorSelector(t);
    }
    this.unexpected(t);
  }

  private number(t: Token): number {
    try {
      return parseNumberLiteral(t.val);
    } catch (e) {
      if (e instanceof LiteralError) this.fail(t.pos, `error parsing number: ${e.message}`);
      throw e;
    }
  }

  private durationSeconds(t: Token): number {
    try {
      return parseDurationLiteral(t.val) / 1000;
    } catch (e) {
      if (e instanceof LiteralError) this.fail(t.pos, e.message);
      throw e;
    }
  }

  // ---- Selectors ----------------------------------------------------------------

  private parseVectorSelector(nameTok: Token | null): VectorSelector {
    const start = nameTok ? nameTok.pos : this.peek().pos;
    let end = nameTok ? nameTok.pos + nameTok.val.length : start;
    const matchers: Matcher[] = [];
    let quotedName: string | null = null;
    if (this.peek().type === "LEFT_BRACE") {
      const r = this.parseLabelMatchers(matchers);
      end = r.end;
      quotedName = r.quotedName;
    }
    let name = "";
    if (nameTok) {
      name = nameTok.val;
      matchers.push(newMatcher("=", METRIC_NAME, name));
    } else if (quotedName !== null) {
      name = quotedName;
    }
    const vs: VectorSelector = { type: "VectorSelector", name, matchers, offset: 0, at: null, pos: { start, end } };
    if (nameTok) this.namedOutside.add(vs);
    return vs;
  }

  /** Parses `{...}` into `ms`. `quotedName` is the metric name when it was given as the
   * only `__name__` matcher, by a bare string (`{"my.metric", job="x"}`). */
  private parseLabelMatchers(ms: Matcher[]): { end: number; quotedName: string | null } {
    this.next(); // {
    const ctx = "label matching";
    let quoted: string | null = null;
    let nameMatchers = 0;
    for (;;) {
      const t = this.next();
      if (t.type === "RIGHT_BRACE") return { end: t.pos + 1, quotedName: nameMatchers === 1 ? quoted : null };
      if (t.type === "IDENTIFIER" || t.type === "STRING") {
        const name = t.type === "STRING" ? unquote(t.val) : t.val;
        const opTok = this.peek();
        const op = MATCH_OPS[opTok.type];
        if (op === undefined) {
          if (t.type === "IDENTIFIER") this.unexpected(opTok, ctx, "label matching operator");
          ms.push(newMatcher("=", METRIC_NAME, name));
          quoted = name;
          nameMatchers++;
        } else {
          this.next();
          const v = this.next();
          if (v.type !== "STRING") this.unexpected(v, ctx, "string");
          try {
            ms.push(newMatcher(op, name, unquote(v.val)));
          } catch (e) {
            if (e instanceof MatcherError) this.fail(t.pos, e.message);
            throw e;
          }
          if (name === METRIC_NAME) nameMatchers++;
        }
      } else {
        this.unexpected(t, ctx, 'identifier or "}"');
      }
      const sep = this.next();
      if (sep.type === "RIGHT_BRACE") return { end: sep.pos + 1, quotedName: nameMatchers === 1 ? quoted : null };
      if (sep.type !== "COMMA") this.unexpected(sep, ctx, '"," or "}"');
    }
  }

  // ---- Calls and aggregations ---------------------------------------------------

  private parseArgs(): { args: Expr[]; end: number } {
    this.next(); // (
    const args: Expr[] = [];
    if (this.peek().type === "RIGHT_PAREN") return { args, end: this.next().pos + 1 };
    for (;;) {
      args.push(this.parseExpr(0));
      const t = this.next();
      if (t.type === "RIGHT_PAREN") return { args, end: t.pos + 1 };
      if (t.type !== "COMMA") this.unexpected(t);
      if (this.peek().type === "RIGHT_PAREN") this.fail(t.pos, "trailing commas not allowed in function call args");
    }
  }

  private parseCall(nameTok: Token): Call {
    const { args, end } = this.parseArgs();
    const func = getFunction(nameTok.val);
    if (!func) this.fail(nameTok.pos, `unknown function with name ${goQuote(nameTok.val)}`);
    if (!this.experimental && EXPERIMENTAL_FUNCTIONS.has(func.name)) {
      this.fail(nameTok.pos, `function ${goQuote(nameTok.val)} is not enabled`);
    }
    return { type: "Call", func, args, pos: { start: nameTok.pos, end } };
  }

  private parseAggregate(opTok: Token): AggregateExpr {
    const outer = this.ctx;
    this.ctx = "aggregation";
    let grouping: string[] = [];
    let without = false;
    let modified = false;
    const first = this.peek();
    if (first.type === "BY" || first.type === "WITHOUT") {
      this.next();
      without = first.type === "WITHOUT";
      grouping = this.parseGroupingLabels().labels;
      modified = true;
      const t = this.peek();
      if (t.type !== "LEFT_PAREN") this.unexpected(t);
    }
    const { args, end: argsEnd } = this.parseArgs();
    let end = argsEnd;
    const after = this.peek();
    if (!modified && (after.type === "BY" || after.type === "WITHOUT")) {
      this.next();
      without = after.type === "WITHOUT";
      const g = this.parseGroupingLabels();
      grouping = g.labels;
      end = g.end;
    }
    this.ctx = outer;

    const op = opTok.type.toLowerCase() as AggregateOp;
    if (args.length === 0) this.fail(opTok.pos, "no arguments for aggregate expression provided");
    let want = 1;
    let param: Expr | null = null;
    if (PARAM_AGGREGATIONS.has(op)) {
      if (!this.experimental && EXPERIMENTAL_AGGREGATIONS.has(op)) {
        this.fail(opTok.pos, `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`);
      }
      want = 2;
      param = args[0]!;
    }
    if (args.length !== want) {
      this.fail(opTok.pos, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    }
    return { type: "AggregateExpr", op, expr: args[want - 1]!, param, grouping, without, pos: { start: opTok.pos, end } };
  }

  /** `(label, "quoted.label", ...)` after by/without/on/ignoring/group_x. */
  private parseGroupingLabels(): { labels: string[]; end: number } {
    const ctx = "grouping opts";
    const open = this.next();
    if (open.type !== "LEFT_PAREN") this.unexpected(open, ctx, '"("');
    const labels: string[] = [];
    let t = this.next();
    if (t.type === "RIGHT_PAREN") return { labels, end: t.pos + 1 };
    for (;;) {
      if (t.type === "STRING") {
        const name = unquote(t.val);
        if (name === "") this.fail(t.pos, `invalid label name for grouping: ${goQuote(name)}`);
        labels.push(name);
      } else if (LABEL_KEYWORDS.has(t.type)) {
        labels.push(t.val);
      } else {
        this.unexpected(t, ctx, "label");
      }
      const sep = this.next();
      if (sep.type === "RIGHT_PAREN") return { labels, end: sep.pos + 1 };
      if (sep.type !== "COMMA") this.unexpected(sep, ctx, '"," or ")"');
      t = this.next();
      if (t.type === "RIGHT_PAREN") return { labels, end: t.pos + 1 };
    }
  }

  // ---- Binary operator modifiers ------------------------------------------------

  private parseBinModifiers(lhs: Expr): { matching: VectorMatching; returnBool: boolean } {
    let returnBool = false;
    let card: Cardinality = "one-to-one";
    let on = false;
    let matchingLabels: string[] = [];
    let include: string[] = [];
    if (this.peek().type === "BOOL") {
      this.next();
      returnBool = true;
    }
    const t = this.peek();
    if (t.type === "ON" || t.type === "IGNORING") {
      this.next();
      on = t.type === "ON";
      matchingLabels = this.parseGroupingLabels().labels;
      const g = this.peek();
      if (g.type === "GROUP_LEFT" || g.type === "GROUP_RIGHT") {
        this.next();
        card = g.type === "GROUP_LEFT" ? "many-to-one" : "one-to-many";
        if (this.peek().type === "LEFT_PAREN") include = this.parseGroupingLabels().labels;
      }
    }
    const f = this.peek().type;
    if (f === "FILL" || f === "FILL_LEFT" || f === "FILL_RIGHT") {
      this.fail(lhs.pos.start, "binop fill modifiers are experimental and not enabled");
    }
    return { matching: { card, matchingLabels, on, include }, returnBool };
  }

  // ---- Postfix: ranges, subqueries, offset, @ -----------------------------------

  private parsePostfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      switch (t.type) {
        case "LEFT_BRACKET":
          e = this.parseRangeOrSubquery(e);
          break;
        case "OFFSET":
          e = this.parseOffset(e);
          break;
        case "AT":
          e = this.parseAt(e);
          break;
        case "ANCHORED":
        case "SMOOTHED":
          this.next();
          this.fail(e.pos.start, `${t.val.toLowerCase()} modifier is experimental and not enabled`);
        default:
          return e;
      }
    }
  }

  /** A duration inside `[...]`: a number (seconds) or duration literal, optionally
   * signed; it must be positive. Arithmetic there is Prometheus' experimental
   * duration-expression feature and is refused as Prometheus does by default. */
  private parseBracketDuration(context: string, expected: string): Literal {
    let t = this.next();
    const start = t.pos;
    let neg = false;
    while (t.type === "ADD" || t.type === "SUB") {
      if (t.type === "SUB") neg = !neg;
      t = this.next();
    }
    if (t.type !== "NUMBER" && t.type !== "DURATION") this.refuseDurationExpr(t, start, context, expected);
    let v = t.type === "NUMBER" ? this.number(t) : this.durationSeconds(t);
    if (durationOutOfRange(v)) this.fail(t.pos, "duration out of range");
    if (neg) v = -v;
    if (DURATION_EXPR_OPS.has(this.peek().type)) this.fail(start, DURATION_EXPR_DISABLED);
    if (!(v > 0)) this.fail(start, "duration must be greater than 0");
    return { seconds: v, start, end: t.pos + t.val.length };
  }

  /** `t` is not a number or duration where one is needed: either the start of a
   * duration expression (refused, as Prometheus does by default) or a syntax error. */
  private refuseDurationExpr(t: Token, start: number, context: string, expected: string): never {
    if (t.type === "LEFT_PAREN") this.fail(start, DURATION_EXPR_DISABLED);
    if (DURATION_EXPR_START.has(t.type)) {
      const n = this.peek();
      if (n.type !== "LEFT_PAREN") this.unexpected(n, context, expected);
      this.fail(start, DURATION_EXPR_DISABLED);
    }
    this.unexpected(t, context, expected);
  }

  private parseRangeOrSubquery(e: Expr): Expr {
    const lb = this.next(); // [
    const range = this.parseBracketDuration("subquery or range selector", "number, duration, step(), or range()");
    const t = this.next();
    if (t.type === "RIGHT_BRACKET") {
      if (e.type !== "VectorSelector") this.fail(lb.pos, "ranges only allowed for vector selectors");
      if (e.offset !== 0) this.fail(lb.pos, "no offset modifiers allowed before range");
      if (e.at !== null) this.fail(lb.pos, "no @ modifiers allowed before range");
      return {
        type: "MatrixSelector",
        vectorSelector: e,
        range: secondsToMs(range.seconds),
        pos: { start: e.pos.start, end: t.pos + 1 },
      } satisfies MatrixSelector;
    }
    if (t.type !== "COLON") this.unexpected(t, "subquery or range", '":" or "]"');
    let step = 0;
    let close = this.peek();
    if (close.type !== "RIGHT_BRACKET") {
      step = secondsToMs(this.parseBracketDuration("subquery selector", 'number, duration, step(), range(), or "]"').seconds);
      close = this.peek();
      if (close.type !== "RIGHT_BRACKET") this.unexpected(close, "subquery selector", '"]"');
    }
    this.next();
    return {
      type: "SubqueryExpr",
      expr: e,
      range: secondsToMs(range.seconds),
      step,
      offset: 0,
      at: null,
      pos: { start: e.pos.start, end: close.pos + 1 },
    } satisfies SubqueryExpr;
  }

  private parseOffset(e: Expr): Expr {
    this.next(); // offset
    let t = this.next();
    const start = t.pos;
    let neg = false;
    while (t.type === "ADD" || t.type === "SUB") {
      if (t.type === "SUB") neg = !neg;
      t = this.next();
    }
    if (t.type !== "NUMBER" && t.type !== "DURATION") this.refuseDurationExpr(t, start, "offset", "number, duration, step(), or range()");
    let v = t.type === "NUMBER" ? this.number(t) : this.durationSeconds(t);
    // NaN has no duration; Prometheus would turn it into an arbitrary int64.
    if (durationOutOfRange(v) || Number.isNaN(v)) this.fail(start, "duration out of range");
    if (neg) v = -v;
    const end = t.pos + t.val.length;
    const target = this.modifierTarget(e, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    if (target.offset !== 0) this.fail(e.pos.start, "offset may not be set multiple times");
    target.offset = secondsToMs(v);
    e.pos.end = end;
    return e;
  }

  private parseAt(e: Expr): Expr {
    this.next(); // @
    const t = this.next();
    let at: AtModifier;
    let end: number;
    if (t.type === "START" || t.type === "END") {
      const lp = this.next();
      if (lp.type !== "LEFT_PAREN") this.unexpected(lp, "@", "timestamp");
      const rp = this.next();
      if (rp.type !== "RIGHT_PAREN") this.unexpected(rp, "@", "timestamp");
      at = { kind: t.type === "START" ? "start" : "end" };
      end = rp.pos + 1;
    } else {
      let n = t;
      if (t.type === "ADD" || t.type === "SUB") n = this.next();
      if (n.type !== "NUMBER" && n.type !== "DURATION") this.unexpected(n, "@", "timestamp");
      let ts = n.type === "NUMBER" ? this.number(n) : this.durationSeconds(n);
      if (t.type === "SUB") ts = -ts;
      if (!Number.isFinite(ts) || ts >= 9223372036854775807 || ts <= -9223372036854775808) {
        this.fail(e.pos.start, `timestamp out of bounds for @ modifier: ${formatFloatF(ts)}`);
      }
      const ms = goRound(ts * 1000);
      at = { kind: "timestamp", ms: ms === 0 ? 0 : ms };
      end = n.pos + n.val.length;
    }
    const target = this.modifierTarget(e, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    if (target.at !== null) this.fail(e.pos.start, "@ <timestamp> may not be set multiple times");
    target.at = at;
    e.pos.end = end;
    return e;
  }

  /** The node that holds offset and @ for `e`. */
  private modifierTarget(e: Expr, notAllowed: string): VectorSelector | SubqueryExpr {
    switch (e.type) {
      case "VectorSelector":
      case "SubqueryExpr":
        return e;
      case "MatrixSelector":
        return e.vectorSelector;
      default:
        this.fail(e.pos.start, notAllowed);
    }
  }
}
