// Alertmanager's matcher syntax (`{severity="page", team=~"db|web"}`, or `foo=bar`
// unquoted): the rules of its pkg/labels parser, which config files, the v2 API's
// `filter` parameter and amtool all use.
import { amMatcher, type AmMatcher } from "./am_matcher.js";

const MATCHER_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

export class MatcherParseError extends Error {}

/** One `name op value` matcher; the value may be double-quoted with `\"`, `\\`, `\n`. */
export function parseMatcher(s: string): AmMatcher {
  const m = MATCHER_RE.exec(s);
  if (m === null) throw new MatcherParseError(`bad matcher format: ${s}`);
  const raw = m[3]!;
  let rawValue = raw;
  let expectTrailingQuote = false;
  if (rawValue.startsWith('"')) {
    rawValue = rawValue.slice(1);
    expectTrailingQuote = true;
  }
  let value = "";
  let escaped = false;
  const chars = [...rawValue];
  for (let i = 0; i < chars.length; i++) {
    const r = chars[i]!;
    if (escaped) {
      escaped = false;
      if (r === "n") value += "\n";
      else if (r === '"' || r === "\\") value += r;
      else value += "\\" + r;
      continue;
    }
    if (r === "\\") {
      if (i < chars.length - 1) {
        escaped = true;
        continue;
      }
      value += "\\";
    } else if (r === '"') {
      if (!expectTrailingQuote || i < chars.length - 1) throw new MatcherParseError(`matcher value contains unescaped double quote: ${raw}`);
      expectTrailingQuote = false;
    } else value += r;
  }
  if (expectTrailingQuote) throw new MatcherParseError(`matcher value contains unescaped double quote: ${raw}`);
  return amMatcher(m[2] as AmMatcher["type"], m[1]!, value);
}

/** A comma-separated list, optionally in braces; commas inside quotes do not split. */
export function parseMatchers(input: string): AmMatcher[] {
  let s = input.startsWith("{") ? input.slice(1) : input;
  if (s.endsWith("}")) s = s.slice(0, -1);
  const tokens: string[] = [];
  let inside = false;
  let escaped = false;
  let token = "";
  for (const r of s) {
    if (r === "," && !inside) {
      tokens.push(token);
      token = "";
      continue;
    }
    if (r === '"') {
      if (!escaped) inside = !inside;
      else escaped = false;
    } else if (r === "\\") escaped = !escaped;
    else escaped = false;
    token += r;
  }
  if (token.trim() !== "") tokens.push(token.trim());
  return tokens.map(parseMatcher);
}
