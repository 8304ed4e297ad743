/** A parse error at a position in the input; its message reads like Prometheus'
 * (`1:14: parse error: unexpected "}"`). Offsets are 0-based, printed 1-based. */
export class ParseError extends Error {
  constructor(
    readonly input: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${position(input, offset)}: parse error: ${detail}`);
  }
}

export function position(input: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < input.length; i++) {
    if (input[i] === "\n") {
      line++;
      col = 1;
    } else col++;
  }
  return `${line}:${col}`;
}
