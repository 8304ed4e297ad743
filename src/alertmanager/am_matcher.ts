// A label matcher as Alertmanager has it: its regexes are `^(?:re)$` with Go's default
// flags (`.` does not match a newline, unlike Prometheus 3's), run in linear time.
import { Regex } from "../model/regex.js";
import { Re2SyntaxError } from "../model/re2.js";
import { quote as goQuote } from "../model/quote.js";
import { matchValue, type Matcher, type MatchType } from "../model/matchers.js";

export type AmMatchType = MatchType;

/** The same shape as a Prometheus matcher; only the regex flags differ (amRegex). */
export type AmMatcher = Matcher;

export class AmRegexError extends Error {}

/** Alertmanager's Regexp: anchored, Go flags. Throws AmRegexError with Go's text. */
export function amRegex(src: string): Regex {
  try {
    Regex.unanchored(src);
    return Regex.unanchored(`^(?:${src})$`);
  } catch (e) {
    if (e instanceof Re2SyntaxError) throw new AmRegexError(e.message);
    throw e;
  }
}

export function amMatcher(type: AmMatchType, name: string, value: string): AmMatcher {
  if (type === "=~" || type === "!~") return { type, name, value, re: amRegex(value) };
  return { type, name, value };
}

/** Whether a label value satisfies the matcher (Prometheus' rules, its regex compiled
 * with Alertmanager's flags). */
export const matchOne: (m: AmMatcher, v: string) => boolean = matchValue;

/** Every matcher holds; a missing label reads as "". */
export function matchAll(ms: readonly AmMatcher[], labels: Readonly<Record<string, string>>): boolean {
  for (const m of ms) if (!matchOne(m, labels[m.name] ?? "")) return false;
  return true;
}

/** `name="value"` with Go's %q quoting, as route keys and the API print matchers. */
export function matcherString(m: AmMatcher): string {
  return `${m.name}${m.type}${goQuote(m.value)}`;
}

export function matchersString(ms: readonly AmMatcher[]): string {
  return `{${ms.map(matcherString).join(",")}}`;
}

/** Alertmanager sorts a route's matchers by name, then value, then type. */
export function sortMatchers(ms: AmMatcher[]): AmMatcher[] {
  const order: AmMatchType[] = ["=", "!=", "=~", "!~"];
  return ms.sort((a, b) =>
    a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.value !== b.value ? (a.value < b.value ? -1 : 1) : order.indexOf(a.type) - order.indexOf(b.type),
  );
}
