import type { FunctionSignature, ValueType } from "./ast.js";

/** The PromQL function table of Prometheus 3.x: argument types, how many trailing
 * arguments are optional (`variadic`, -1 = the last one repeats) and the return type. */

type Row = [name: string, argTypes: ValueType[], returnType: ValueType, variadic?: number];

const V: ValueType = "vector";
const M: ValueType = "matrix";
const S: ValueType = "scalar";
const STR: ValueType = "string";

const ROWS: Row[] = [
  // Instant-vector math.
  ["abs", [V], V],
  ["ceil", [V], V],
  ["floor", [V], V],
  ["exp", [V], V],
  ["sqrt", [V], V],
  ["ln", [V], V],
  ["log2", [V], V],
  ["log10", [V], V],
  ["sgn", [V], V],
  ["round", [V, S], V, 1],
  ["clamp", [V, S, S], V],
  ["clamp_max", [V, S], V],
  ["clamp_min", [V, S], V],
  // Trigonometry.
  ["acos", [V], V],
  ["acosh", [V], V],
  ["asin", [V], V],
  ["asinh", [V], V],
  ["atan", [V], V],
  ["atanh", [V], V],
  ["cos", [V], V],
  ["cosh", [V], V],
  ["sin", [V], V],
  ["sinh", [V], V],
  ["tan", [V], V],
  ["tanh", [V], V],
  ["deg", [V], V],
  ["rad", [V], V],
  ["pi", [], S],
  // Time and date.
  ["time", [], S],
  ["timestamp", [V], V],
  ["day_of_month", [V], V, 1],
  ["day_of_week", [V], V, 1],
  ["day_of_year", [V], V, 1],
  ["days_in_month", [V], V, 1],
  ["hour", [V], V, 1],
  ["minute", [V], V, 1],
  ["month", [V], V, 1],
  ["year", [V], V, 1],
  // Conversions, labels, sorting.
  ["scalar", [V], S],
  ["vector", [S], V],
  ["absent", [V], V],
  ["label_replace", [V, STR, STR, STR, STR], V],
  ["label_join", [V, STR, STR, STR], V, -1],
  ["sort", [V], V],
  ["sort_desc", [V], V],
  ["sort_by_label", [V, STR], V, -1],
  ["sort_by_label_desc", [V, STR], V, -1],
  // Range-vector functions.
  ["rate", [M], V],
  ["irate", [M], V],
  ["increase", [M], V],
  ["delta", [M], V],
  ["idelta", [M], V],
  ["deriv", [M], V],
  ["predict_linear", [M, S], V],
  ["changes", [M], V],
  ["resets", [M], V],
  ["double_exponential_smoothing", [M, S, S], V],
  ["absent_over_time", [M], V],
  ["present_over_time", [M], V],
  ["avg_over_time", [M], V],
  ["min_over_time", [M], V],
  ["max_over_time", [M], V],
  ["sum_over_time", [M], V],
  ["count_over_time", [M], V],
  ["quantile_over_time", [S, M], V],
  ["stddev_over_time", [M], V],
  ["stdvar_over_time", [M], V],
  ["last_over_time", [M], V],
  ["first_over_time", [M], V],
  ["mad_over_time", [M], V],
  ["ts_of_first_over_time", [M], V],
  ["ts_of_last_over_time", [M], V],
  ["ts_of_min_over_time", [M], V],
  ["ts_of_max_over_time", [M], V],
  // Histograms.
  ["histogram_quantile", [S, V], V],
  ["histogram_quantiles", [V, STR, S, S], V, 9],
  ["histogram_fraction", [S, S, V], V],
  ["histogram_count", [V], V],
  ["histogram_sum", [V], V],
  ["histogram_avg", [V], V],
  ["histogram_stddev", [V], V],
  ["histogram_stdvar", [V], V],
  // Query parameters and scalar helpers.
  ["start", [], S],
  ["end", [], S],
  ["step", [], S],
  ["range", [], S],
  ["min_of", [S, S], S],
  ["max_of", [S, S], S],
  // Metadata.
  ["info", [V, V], V, 1],
  ["start_timestamp", [V], V],
];

export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map(
  ROWS.map(([name, argTypes, returnType, variadic]) => [
    name,
    Object.freeze({ name, argTypes: Object.freeze(argTypes) as ValueType[], variadic: variadic ?? 0, returnType }),
  ]),
);

/** Functions Prometheus only enables with `--enable-feature=promql-experimental-functions`. */
export const EXPERIMENTAL_FUNCTIONS: ReadonlySet<string> = new Set([
  "double_exponential_smoothing",
  "mad_over_time",
  "ts_of_first_over_time",
  "ts_of_last_over_time",
  "ts_of_min_over_time",
  "ts_of_max_over_time",
  "histogram_quantiles",
  "sort_by_label",
  "sort_by_label_desc",
  "info",
  "start",
  "end",
  "step",
  "range",
  "min_of",
  "max_of",
  "start_timestamp",
]);

/** The aggregations Prometheus gates behind the same feature flag. */
export const EXPERIMENTAL_AGGREGATIONS: ReadonlySet<string> = new Set(["limitk", "limit_ratio"]);

export function getFunction(name: string): FunctionSignature | undefined {
  return FUNCTIONS.get(name);
}
