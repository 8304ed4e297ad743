import { compileRegex } from "../model/matchers.js";

/** Checks that a relabel regex compiles as RE2 (Go's regexp) would accept it.
 * JavaScript accepts some constructs RE2 rejects (lookaround, backreferences);
 * those are refused here with Go's wording. Returns the error message or undefined. */
export function checkRegex(src: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      const next = src[i + 1];
      if (next !== undefined && next >= "1" && next <= "9" && !inClass) {
        return `error parsing regexp: invalid escape sequence: \`\\${next}\``;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      if (src[i + 1] === "^") i++;
      if (src[i + 1] === "]") i++;
      continue;
    }
    if (c === "(" && src[i + 1] === "?") {
      const rest = src.slice(i, i + 4);
      for (const bad of ["(?<=", "(?<!", "(?=", "(?!"]) {
        if (rest.startsWith(bad)) return `error parsing regexp: invalid or unsupported Perl syntax: \`${bad.slice(0, 3)}\``;
      }
    }
  }
  try {
    compileRegex(src);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
