import { getLabel, type Labels } from "./labels.js";

export type MatchType = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  /** Compiled, fully anchored, for the regex types. */
  readonly re?: RegExp;
}

export class MatcherError extends Error {}

/** Compiles a Prometheus (RE2) regex the way Prometheus anchors it: `^(?:re)$`, and with
 * `.` matching newlines as in Prometheus 3.x. Leading inline flags `(?i)`/`(?s)` that
 * JavaScript does not accept inline are lifted into RegExp flags. */
export function compileRegex(src: string): RegExp {
  let flags = "su";
  let body = src;
  const m = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (m) {
    for (const f of m[1]!) {
      if (f === "i") flags += flags.includes("i") ? "" : "i";
      else if (f === "s" || f === "U" || f === "m") {
        if (f === "m") flags += "m";
      } else throw new MatcherError(`invalid or unsupported Perl syntax: \`(?${m[1]}\``);
    }
    body = body.slice(m[0].length);
  }
  // RE2 spells "\z" end-of-text and (?P<name>) named groups; JavaScript does not.
  body = body.replace(/\\z/g, "$").replace(/\(\?P</g, "(?<");
  try {
    return new RegExp(`^(?:${body})$`, flags);
  } catch (e) {
    throw new MatcherError(`error parsing regexp: ${(e as Error).message}`);
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
