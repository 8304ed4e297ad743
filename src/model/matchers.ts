import { getLabel, type Labels } from "./labels.js";
import { RE2_JS_FLAGS, Re2SyntaxError, translateRe2 } from "./re2.js";

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
 * `.` matching newlines as in Prometheus 3.x. The RE2 syntax is translated to JavaScript by
 * ./re2.ts (inline flags such as `(?i:...)`, `(?m)`, `(?-s)`, `(?U)`, `\Q...\E`, POSIX classes,
 * `\pL`, ...); invalid patterns throw a MatcherError with Go's "error parsing regexp: ..." text. */
export function compileRegex(src: string): RegExp {
  let body: string;
  try {
    body = translateRe2(src);
  } catch (e) {
    if (e instanceof Re2SyntaxError) throw new MatcherError(e.message);
    throw e;
  }
  try {
    const re = new RegExp(`^(?:${body})$`, RE2_JS_FLAGS);
    // V8 compiles lazily; run it once so engine limits surface here, not mid-query.
    re.test("");
    return re;
  } catch (e) {
    // Only engine limits can get here: the translation is valid JavaScript syntax.
    const msg = (e as Error).message;
    if (/too large|too big|stack/i.test(msg)) throw new MatcherError(`error parsing regexp: expression too large: \`${src}\``);
    throw new MatcherError(`error parsing regexp: ${msg.length > 200 ? `${msg.slice(0, 200)}...` : msg}`);
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
