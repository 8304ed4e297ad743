import { matchesEmpty, type Matcher } from "../../model/matchers.js";
import { ParseError } from "./errors.js";
import { parseMetricSelector } from "./parser.js";

/** Parses a series selector as used by `match[]` (`up{job="x"}`, `{__name__=~"a.*"}`,
 * `{"utf8.metric", job="x"}`) into matchers. Selectors that would match every series
 * (all matchers accept the empty string) are refused, as Prometheus' API does. */
export function parseSeriesSelector(input: string): Matcher[] {
  const ms = parseMetricSelector(input).matchers;
  if (ms.every(matchesEmpty)) {
    throw new ParseError(input, 0, "vector selector must contain at least one non-empty matcher");
  }
  return ms;
}
