/**
 * Go's regexp package as the template functions use it: regexp.MatchString and
 * regexp.MustCompile(...).ReplaceAllString. Unlike label matchers, these are not
 * anchored and `.` does not match a newline (plain regexp.Compile, Perl flags without
 * DotNL). Matching is linear-time (model/regex.ts).
 */
import { expandTemplate, parseTemplate } from "../../relabel/template.js";
import { Regex } from "../../model/regex.js";
import { canBackquote, quote } from "../../model/quote.js";

const cache = new Map<string, Regex>();
const CACHE_LIMIT = 256;

/** regexp.Compile: throws Re2SyntaxError with Go's "error parsing regexp: ..." message. */
export function compileGo(pattern: string): Regex {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  re = Regex.unanchored(pattern);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(pattern, re);
  return re;
}

/** The panic message of regexp.MustCompile. */
export function mustCompileMessage(pattern: string, err: string): string {
  const q = canBackquote(pattern) ? "`" + pattern + "`" : quote(pattern);
  return `regexp: Compile(${q}): ${err}`;
}

export function matchString(re: Regex, s: string): boolean {
  return re.test(s);
}

/**
 * Regexp.ReplaceAllString: `$1`, `${name}` expansion; an empty match right after the
 * previous match is not replaced (JavaScript's replace would), and the search always
 * advances by at least one character.
 */
export function replaceAllString(re: Regex, src: string, repl: string): string {
  const tpl = parseTemplate(repl);
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = re.exec(src, searchPos);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expandTemplate(tpl, m);
    lastMatchEnd = end;
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}
