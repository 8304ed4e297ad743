/**
 * Go's strconv quoting: Quote, QuoteToASCII, QuoteRune, Unquote, UnquoteChar,
 * CanBackquote and IsPrint. Go templates meet these in string literals, `%q` and parse
 * errors; the Pushgateway's messages quote names and values with them, and PromQL's
 * parser and printer quote strings with them (promql/parser/quote.ts), as Go does.
 */

export class ErrSyntax extends Error {
  constructor() {
    super("invalid syntax");
  }
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

const HEX = "0123456789abcdef";

function hex(n: number, width: number): string {
  let s = "";
  for (let i = width - 1; i >= 0; i--) s += HEX[(n >> (4 * i)) & 0xf];
  return s;
}

function escapeRune(cp: number, quote: number, asciiOnly: boolean, always = false): string {
  if (cp === quote || cp === 0x5c) return "\\" + String.fromCodePoint(cp);
  if (always) {
    // escaped even when printable
  } else if (asciiOnly) {
    if (cp < 0x80 && isPrint(cp)) return String.fromCodePoint(cp);
  } else if (isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (cp < 0x20 || cp === 0x7f) return "\\x" + hex(cp, 2);
  // U+DC80-U+DCFF stand for the bytes of invalid UTF-8 (see goBytes), which Go
  // escapes one by one; other lone surrogates are what Go would read as U+FFFD.
  if (cp >= 0xdc80 && cp <= 0xdcff) return "\\x" + hex(cp - 0xdc00, 2);
  if (cp >= 0xd800 && cp <= 0xdfff) return "\\ufffd";
  if (cp > 0xffff) return "\\U" + hex(cp, 8);
  return "\\u" + hex(cp, 4);
}

function quoteWith(s: string, quote: number, asciiOnly: boolean, alsoEscape?: (cp: number) => boolean): string {
  let out = String.fromCharCode(quote);
  // Runs of plain ASCII are copied whole: most strings are nothing else.
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== quote && c !== 0x5c) continue;
    out += s.slice(plainFrom, i);
    const cp = s.codePointAt(i)!;
    out += escapeRune(cp, quote, asciiOnly, alsoEscape?.(cp) ?? false);
    if (cp > 0xffff) i++;
    plainFrom = i + 1;
  }
  return out + s.slice(plainFrom) + String.fromCharCode(quote);
}

/** A Go string made of arbitrary bytes (a YAML `!!binary` value): valid UTF-8 decodes as
 * usual, and each byte of an invalid sequence becomes the lone surrogate U+DC00+byte
 * ("surrogate escape"), so the string stays invalid where Go's does and quotes as Go's. */
export function goBytes(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 1) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const cp = n === 0 ? -1 : decodeRune(bytes, i, n);
    if (cp < 0) {
      out += String.fromCharCode(0xdc00 + b);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

const MIN_RUNE = [0, 0, 0x80, 0x800, 0x10000];

function decodeRune(bytes: Uint8Array, i: number, n: number): number {
  if (i + n > bytes.length) return -1;
  let cp = bytes[i]! & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const c = bytes[i + k]!;
    if ((c & 0xc0) !== 0x80) return -1;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < MIN_RUNE[n]! || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  return cp;
}

/** utf8.ValidString for strings that may carry goBytes' escapes or lone surrogates. */
export function isValidUTF8(s: string): boolean {
  return !/\p{Surrogate}/u.test(s);
}

export function quote(s: string): string {
  return quoteWith(s, 0x22, false);
}

/** strconv.Quote that also escapes the printable code points `alsoEscape` picks. */
export function quoteEscaping(s: string, alsoEscape: (cp: number) => boolean): string {
  return quoteWith(s, 0x22, false, alsoEscape);
}

export function quoteToASCII(s: string): string {
  return quoteWith(s, 0x22, true);
}

export function quoteRune(cp: number, asciiOnly = false): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return "'" + escapeRune(cp, 0x27, asciiOnly) + "'";
}

/** strconv.CanBackquote: no control characters but tab, no backquote, no BOM. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfeff || cp === 0x60) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x7f) return false;
  }
  return true;
}

function unhex(c: string): number {
  const i = "0123456789abcdef".indexOf(c.toLowerCase());
  return c.length === 1 ? i : -1;
}

/** strconv.UnquoteChar: decodes the first character or escape of s. */
export function unquoteChar(s: string, quoteChar: string): { value: number; multibyte: boolean; tail: string } {
  const c = s.codePointAt(0);
  if (c === undefined) throw new ErrSyntax();
  const first = String.fromCodePoint(c);
  if (first === quoteChar && (quoteChar === "'" || quoteChar === '"')) throw new ErrSyntax();
  if (c >= 0x80) return { value: c, multibyte: true, tail: s.slice(first.length) };
  if (first !== "\\") return { value: c, multibyte: false, tail: s.slice(1) };
  if (s.length <= 1) throw new ErrSyntax();
  const e = s[1]!;
  let tail = s.slice(2);
  switch (e) {
    case "a":
      return { value: 7, multibyte: false, tail };
    case "b":
      return { value: 8, multibyte: false, tail };
    case "f":
      return { value: 12, multibyte: false, tail };
    case "n":
      return { value: 10, multibyte: false, tail };
    case "r":
      return { value: 13, multibyte: false, tail };
    case "t":
      return { value: 9, multibyte: false, tail };
    case "v":
      return { value: 11, multibyte: false, tail };
    case "x":
    case "u":
    case "U": {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      if (tail.length < n) throw new ErrSyntax();
      let v = 0;
      for (let j = 0; j < n; j++) {
        const x = unhex(tail[j]!);
        if (x < 0) throw new ErrSyntax();
        v = v * 16 + x;
      }
      tail = tail.slice(n);
      if (e === "x") return { value: v, multibyte: false, tail };
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new ErrSyntax();
      return { value: v, multibyte: true, tail };
    }
    case "0":
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
    case "6":
    case "7": {
      let v = Number(e);
      if (tail.length < 2) throw new ErrSyntax();
      for (let j = 0; j < 2; j++) {
        const x = tail.charCodeAt(j) - 48;
        if (x < 0 || x > 7) throw new ErrSyntax();
        v = v * 8 + x;
      }
      if (v > 255) throw new ErrSyntax();
      return { value: v, multibyte: false, tail: tail.slice(2) };
    }
    case "\\":
      return { value: 0x5c, multibyte: false, tail };
    case "'":
    case '"':
      if (e !== quoteChar) throw new ErrSyntax();
      return { value: e.charCodeAt(0), multibyte: false, tail };
    default:
      throw new ErrSyntax();
  }
}

/**
 * strconv.Unquote for "..." and `...` literals (the lexer guarantees the delimiters).
 * A \x or octal escape names a byte; bytes that do not form UTF-8 decode to U+FFFD.
 */
export function unquote(lit: string): string {
  if (lit.length < 2) throw new ErrSyntax();
  const q = lit[0]!;
  if (q !== lit[lit.length - 1]) throw new ErrSyntax();
  const body = lit.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) throw new ErrSyntax();
    return body.replaceAll("\r", "");
  }
  if (q !== '"') throw new ErrSyntax();
  if (body.includes("\n")) throw new ErrSyntax();
  const bytes: number[] = [];
  let rest = body;
  while (rest.length > 0) {
    const r = unquoteChar(rest, '"');
    rest = r.tail;
    if (r.value < 0x80 || !r.multibyte) {
      if (r.value < 0x100 && !r.multibyte) bytes.push(r.value);
      else pushUtf8(bytes, r.value);
    } else pushUtf8(bytes, r.value);
  }
  // Invalid UTF-8 ("\xc5" alone) stays invalid, as in Go, instead of becoming U+FFFD.
  return goBytes(new Uint8Array(bytes));
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}
