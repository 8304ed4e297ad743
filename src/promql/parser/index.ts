/** The PromQL parser: syntax tree, parsing with Prometheus' type checks and error
 * messages, and the canonical printer. */
export type * from "./ast.js";
export { typeOf, documentedType, isComparisonOp, isSetOp } from "./check.js";
export { ParseError } from "./errors.js";
export { EXPERIMENTAL_AGGREGATIONS, EXPERIMENTAL_FUNCTIONS, FUNCTIONS, getFunction } from "./functions.js";
export { Lexer, describeToken, type Token, type TokenType } from "./lexer.js";
export { formatDurationMs, formatFloat } from "./literals.js";
export { parseExpr, parseMetricSelector, type ParseOptions } from "./parser.js";
export { ParseCache } from "./parse_cache.js";
export { formatExpr } from "./printer.js";
export { parseSeriesSelector } from "./selector.js";
export { exprChildren, extractSelectors } from "./walk.js";
