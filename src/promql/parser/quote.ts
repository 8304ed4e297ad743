/** Go-compatible quoting and unquoting: PromQL string literals use Go's syntax, and
 * Prometheus prints strings and characters the way Go's `%q` / `strconv.Quote` do, so
 * error messages and formatted queries need the same rules (model/quote.ts). */
import { goBytes, isPrint, quoteEscaping, quoteRune } from "../../model/quote.js";

/** strconv.Quote, except that U+FFFD is escaped too: Go prints it, but Prometheus'
 * lexer rejects it inside strings, and formatted queries must parse again. */
export function goQuote(s: string): string {
  return quoteEscaping(s, (cp) => cp === 0xfffd);
}

/** Go's `%q` of a rune: `'a'`, `'\n'`, `'\''`. -1 (end of input) prints as U+FFFD. */
export function goQuoteRune(cp: number): string {
  return quoteRune(cp < 0 ? 0xfffd : cp);
}

/** Go's `%#U`: `U+0063 'c'`, or just `U+000A` when not printable. */
export function goQuoteRuneVerbose(cp: number): string {
  if (cp < 0) cp = 0xfffd;
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return isPrint(cp) ? `${u} '${String.fromCodePoint(cp)}'` : u;
}

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
    // Invalid UTF-8 stays invalid (as in Go) rather than becoming U+FFFD.
    out += goBytes(new Uint8Array(bytes));
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
