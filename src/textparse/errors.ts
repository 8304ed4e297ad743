/** A malformed exposition. Line and column are 1-based; the column counts Unicode
 * code points so it matches what an editor shows. */
export class ParseError extends Error {
  override readonly name = "ParseError";
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}
