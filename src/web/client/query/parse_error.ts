/** Where in the expression an API parse error points. Prometheus reports
 * `line:column: parse error: ...` (possibly after `invalid parameter "query": `), with
 * 1-based lines and a column counted in UTF-8 bytes from 1; the editor needs a
 * character offset. */
export interface ParseErrorLocation {
  line: number;
  column: number;
  /** Offset into the expression (UTF-16 code units), clamped to its length. */
  offset: number;
  message: string;
  /** `line:column: parse error: ...` without the API's parameter prefix: the panel already says which query failed. */
  text: string;
}

const POSITION = /(?:^|: )((\d+):(\d+): parse error: ([\s\S]*))$/;

export function locateParseError(error: string, expr: string): ParseErrorLocation | null {
  const m = POSITION.exec(error);
  if (m === null) return null;
  const line = Number(m[2]);
  const column = Number(m[3]);
  return { line, column, offset: offsetOf(expr, line, column), message: m[4]!, text: m[1]! };
}

/** The character offset of a 1-based line and a 1-based UTF-8 byte column. */
export function offsetOf(expr: string, line: number, column: number): number {
  let i = 0;
  for (let l = 1; l < line; l++) {
    const nl = expr.indexOf("\n", i);
    if (nl < 0) return expr.length;
    i = nl + 1;
  }
  let bytes = column - 1;
  while (bytes > 0 && i < expr.length && expr.charCodeAt(i) !== 10) {
    const cp = expr.codePointAt(i)!;
    bytes -= cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

/** The stretch of text to mark: the word or symbol at the offset, or the last
 * character when the error is at the end (an unexpected end of input). */
export function errorSpan(expr: string, offset: number): { from: number; to: number } {
  if (expr.length === 0) return { from: 0, to: 0 };
  if (offset >= expr.length) return { from: expr.length - 1, to: expr.length };
  const word = /^[A-Za-z0-9_:.]+/.exec(expr.slice(offset));
  return { from: offset, to: offset + (word === null ? 1 : word[0].length) };
}
