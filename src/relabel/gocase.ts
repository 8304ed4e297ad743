/** Go's strings.ToLower / strings.ToUpper: simple, one-to-one case mapping per code
 * point, with no context (no final sigma) and no expansions (ß stays ß in upper case,
 * İ lowers to plain i). JavaScript's toLowerCase/toUpperCase apply the full Unicode
 * special casing, so non-ASCII text is mapped code point by code point here. */

const ASCII = /^[\x00-\x7f]*$/;

export function goToLower(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  let out = "";
  for (const ch of s) {
    const l = ch.toLowerCase();
    if (single(l)) out += l;
    else if (ch === "\u0130") out += "i";
    else out += ch;
  }
  return out;
}

export function goToUpper(s: string): string {
  if (ASCII.test(s)) return s.toUpperCase();
  let out = "";
  for (const ch of s) {
    const u = ch.toUpperCase();
    if (single(u)) out += u;
    else out += simpleUpperOfSpecial(ch);
  }
  return out;
}

/** Characters whose full upper case expands to several code points but which have a
 * one-to-one mapping in UnicodeData (the one Go uses): Greek letters with a
 * subscript iota map to their title-case forms. Everything else (ß, ŉ, ligatures...)
 * has no simple mapping and is kept. */
function simpleUpperOfSpecial(ch: string): string {
  const c = ch.codePointAt(0)!;
  if ((c >= 0x1f80 && c <= 0x1f87) || (c >= 0x1f90 && c <= 0x1f97) || (c >= 0x1fa0 && c <= 0x1fa7)) {
    return String.fromCodePoint(c + 8);
  }
  if (c === 0x1fb3) return "\u1fbc";
  if (c === 0x1fc3) return "\u1fcc";
  if (c === 0x1ff3) return "\u1ffc";
  return ch;
}

function single(s: string): boolean {
  return s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff);
}
