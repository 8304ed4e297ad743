import { getLabel, type Labels } from "./labels.js";
import { Re2SyntaxError } from "./re2.js";
import { Regex } from "./regex.js";

export type MatchType = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  /** Compiled, fully anchored, for the regex types. */
  readonly re?: Regex;
}

export class MatcherError extends Error {}

/** Compiles a Prometheus (RE2) regex the way Prometheus anchors it: `^(?:re)$`, with
 * `.` matching newlines as in Prometheus 3.x, matched in linear time (./regex.ts). Invalid
 * patterns throw a MatcherError with Go's "error parsing regexp: ..." text. */
export function compileRegex(src: string): Regex {
  try {
    return Regex.anchored(src);
  } catch (e) {
    if (e instanceof Re2SyntaxError) throw new MatcherError(e.message);
    throw e;
  }
}

export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  if (type === "=~" || type === "!~") return { type, name, value, re: compileRegex(value) };
  return { type, name, value };
}

export function matchValue(m: Matcher, v: string): boolean {
  switch (m.type) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return m.re!.test(v);
    case "!~":
      return !m.re!.test(v);
  }
}

export function matchesLabels(ms: readonly Matcher[], ls: Labels): boolean {
  for (const m of ms) if (!matchValue(m, getLabel(ls, m.name))) return false;
  return true;
}

/** True when the matcher also selects series that lack the label entirely. */
export function matchesEmpty(m: Matcher): boolean {
  return matchValue(m, "");
}

export function matcherToString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}
