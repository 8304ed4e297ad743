/** A parse error at a position in the input; its message reads like Prometheus'
 * (`1:14: parse error: unexpected "}"`). Offsets are 0-based string indices; the
 * printed position is 1-based line:column. */
export class ParseError extends Error {
  constructor(
    readonly input: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${position(input, offset)}: parse error: ${detail}`);
  }
}

/** `line:column` of an offset. Like Prometheus, the column counts UTF-8 bytes from the
 * start of the line (plus one), so it is the same number Prometheus reports. */
export function position(input: string, offset: number): string {
  let line = 1;
  let col = 1;
  const end = Math.min(offset, input.length);
  for (let i = 0; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c === 10) {
      line++;
      col = 1;
    } else if (c < 0x80) col++;
    else if (c < 0x800) col += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      col += 4; // a surrogate pair is one 4-byte character
      i++;
    } else col += 3;
  }
  return `${line}:${col}`;
}
