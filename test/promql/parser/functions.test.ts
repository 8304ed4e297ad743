import { describe, expect, it } from "vitest";
import { EXPERIMENTAL_FUNCTIONS, FUNCTIONS, getFunction } from "../../../src/promql/parser/functions.js";
import { parseExpr } from "../../../src/promql/parser/parser.js";
import { parseFailure } from "./helpers.js";

const ALL = `abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp
clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month deg delta
deriv double_exponential_smoothing end exp first_over_time floor histogram_avg histogram_count
histogram_fraction histogram_quantile histogram_quantiles histogram_stddev histogram_stdvar histogram_sum
hour idelta increase info irate label_join label_replace last_over_time ln log10 log2 mad_over_time max_of
max_over_time min_of min_over_time minute month pi predict_linear present_over_time quantile_over_time rad
range rate resets round scalar sgn sin sinh sort sort_by_label sort_by_label_desc sort_desc sqrt start
start_timestamp step stddev_over_time stdvar_over_time sum_over_time tan tanh time timestamp
ts_of_first_over_time ts_of_last_over_time ts_of_max_over_time ts_of_min_over_time vector year`.split(/\s+/);

describe("function table", () => {
  it("has every Prometheus 3.x function and nothing else", () => {
    expect([...FUNCTIONS.keys()].sort()).toEqual([...ALL].sort());
    for (const name of EXPERIMENTAL_FUNCTIONS) expect(FUNCTIONS.has(name)).toBe(true);
  });

  it.each<[string, string[], number, string]>([
    ["rate", ["matrix"], 0, "vector"],
    ["histogram_quantile", ["scalar", "vector"], 0, "vector"],
    ["histogram_fraction", ["scalar", "scalar", "vector"], 0, "vector"],
    ["label_join", ["vector", "string", "string", "string"], -1, "vector"],
    ["round", ["vector", "scalar"], 1, "vector"],
    ["year", ["vector"], 1, "vector"],
    ["quantile_over_time", ["scalar", "matrix"], 0, "vector"],
    ["predict_linear", ["matrix", "scalar"], 0, "vector"],
    ["double_exponential_smoothing", ["matrix", "scalar", "scalar"], 0, "vector"],
    ["scalar", ["vector"], 0, "scalar"],
    ["vector", ["scalar"], 0, "vector"],
    ["time", [], 0, "scalar"],
    ["pi", [], 0, "scalar"],
    ["info", ["vector", "vector"], 1, "vector"],
    ["histogram_quantiles", ["vector", "string", "scalar", "scalar"], 9, "vector"],
  ])("%s", (name, argTypes, variadic, returnType) => {
    expect(getFunction(name)).toEqual({ name, argTypes, variadic, returnType });
  });

  it("accepts every function with arguments of the right types", () => {
    const arg = { vector: "v", matrix: "m[5m]", scalar: "1", string: '"s"', none: "" } as const;
    for (const f of FUNCTIONS.values()) {
      const args = f.argTypes.map((t, i) => (f.name === "info" && i === 1 ? '{k="v"}' : arg[t]));
      if (f.variadic > 0) args.pop();
      const q = `${f.name}(${args.join(", ")})`;
      expect(parseExpr(q), q).toMatchObject({ type: "Call", func: { name: f.name } });
    }
  });

  it("names unknown functions", () => {
    expect(parseFailure("foo_bar(x)")).toEqual([0, 'unknown function with name "foo_bar"']);
    expect(parseFailure("x + Rate(y[5m])")).toEqual([4, 'unknown function with name "Rate"']);
  });
});
