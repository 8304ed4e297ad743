/** Go-compatible quoting and unquoting: PromQL string literals use Go's syntax, and
 * Prometheus prints strings and characters the way Go's `%q` / `strconv.Quote` do, so
 * error messages and formatted queries need the same rules. */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function escapeCodePoint(cp: number, quote: number): string {
  switch (cp) {
    case 7: return "\\a";
    case 8: return "\\b";
    case 12: return "\\f";
    case 10: return "\\n";
    case 13: return "\\r";
    case 9: return "\\t";
    case 11: return "\\v";
    case 92: return "\\\\";
  }
  if (cp === quote) return `\\${String.fromCharCode(quote)}`;
  // U+FFFD is printable for Go, but Prometheus' lexer rejects it inside strings, so it
  // is always escaped here to keep formatted queries parseable.
  if (cp !== 0xfffd && isPrint(cp)) return String.fromCodePoint(cp);
  if (cp < 0x80) return `\\x${hex(cp, 2)}`;
  if (cp >= 0xd800 && cp <= 0xdfff) return "\\ufffd"; // a lone surrogate cannot be written
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** strconv.Quote: a double-quoted Go string literal. */
export function goQuote(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 34 && c !== 92) continue;
    out += s.slice(plainFrom, i);
    const cp = s.codePointAt(i)!;
    out += escapeCodePoint(cp, 34);
    if (cp > 0xffff) i++;
    plainFrom = i + 1;
  }
  return out + s.slice(plainFrom) + '"';
}

/** Go's `%q` of a rune: `'a'`, `'\n'`, `'\''`. -1 (end of input) prints as U+FFFD. */
export function goQuoteRune(cp: number): string {
  if (cp < 0) return "'\ufffd'";
  if (cp === 0xfffd) return "'\ufffd'";
  return `'${escapeCodePoint(cp, 39)}'`;
}

/** Go's `%#U`: `U+0063 'c'`, or just `U+000A` when not printable. */
export function goQuoteRuneVerbose(cp: number): string {
  if (cp < 0) cp = 0xfffd;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return isPrint(cp) ? `${u} '${String.fromCodePoint(cp)}'` : u;
}

const UTF8 = new TextDecoder();

/** Unquotes a string token that the lexer has already validated: "..." and '...' with
 * Go escapes, `...` raw. `\x` and octal escapes are bytes, as in Go, so consecutive
 * ones are decoded together as UTF-8. */
export function unquote(raw: string): string {
  const q = raw.charCodeAt(0);
  const body = raw.slice(1, -1);
  if (q === 96 || body.indexOf("\\") < 0) return body;
  let out = "";
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    out += UTF8.decode(new Uint8Array(bytes));
    bytes = [];
  };
  let i = 0;
  while (i < body.length) {
    const bs = body.indexOf("\\", i);
    if (bs !== i) flush();
    if (bs < 0) {
      out += body.slice(i);
      break;
    }
    out += body.slice(i, bs);
    const e = body[bs + 1]!;
    i = bs + 2;
    if (e === "x") {
      bytes.push(parseInt(body.slice(i, i + 2), 16));
      i += 2;
      continue;
    }
    if (e >= "0" && e <= "7") {
      bytes.push(parseInt(body.slice(i - 1, i + 2), 8));
      i += 2;
      continue;
    }
    flush();
    switch (e) {
      case "a": out += "\x07"; break;
      case "b": out += "\b"; break;
      case "f": out += "\f"; break;
      case "n": out += "\n"; break;
      case "r": out += "\r"; break;
      case "t": out += "\t"; break;
      case "v": out += "\v"; break;
      case "u":
        out += String.fromCodePoint(parseInt(body.slice(i, i + 4), 16));
        i += 4;
        break;
      case "U":
        out += String.fromCodePoint(parseInt(body.slice(i, i + 8), 16));
        i += 8;
        break;
      default:
        out += e; // \\ and the quote character
    }
  }
  flush();
  return out;
}
