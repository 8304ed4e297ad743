import { ParseError } from "./errors.js";

/** Reads a PromQL string literal starting at `start` (a quote), Go-style escapes for
 * "..." and '...', raw for `...`. Returns the value and the offset after it. */
export function readStringLiteral(input: string, start: number): { value: string; end: number } {
  const quote = input[start]!;
  let i = start + 1;
  let out = "";
  if (quote === "`") {
    const close = input.indexOf("`", i);
    if (close < 0) throw new ParseError(input, start, "unterminated raw string");
    return { value: input.slice(i, close), end: close + 1 };
  }
  while (i < input.length) {
    const c = input[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === "\n") break;
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = input[i + 1];
    i += 2;
    switch (e) {
      case "a": out += "\x07"; break;
      case "b": out += "\b"; break;
      case "f": out += "\f"; break;
      case "n": out += "\n"; break;
      case "r": out += "\r"; break;
      case "t": out += "\t"; break;
      case "v": out += "\v"; break;
      case "\\": out += "\\"; break;
      case '"': case "'": out += e; break;
      case "x": case "u": case "U": {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = input.slice(i, i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new ParseError(input, i - 2, "invalid escape sequence");
        out += e === "x" ? String.fromCharCode(parseInt(hex, 16)) : String.fromCodePoint(parseInt(hex, 16));
        i += len;
        break;
      }
      default: {
        if (e !== undefined && /[0-7]/.test(e)) {
          const oct = input.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(oct)) throw new ParseError(input, i - 2, "invalid escape sequence");
          out += String.fromCharCode(parseInt(oct, 8));
          i += 2;
          break;
        }
        throw new ParseError(input, i - 2, `unknown escape sequence ${JSON.stringify(e ?? "")}`);
      }
    }
  }
  throw new ParseError(input, start, "unterminated quoted string");
}
