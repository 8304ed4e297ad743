import type { Entry, ExpositionFormat } from "./entry.js";
import { ParseError } from "./errors.js";
import { EOF_LINE, LineParser, type SeriesLookup } from "./line-parser.js";
import { MetadataState } from "./metadata-state.js";

const LF = "\n";

/** An incremental parser: feed it text in pieces of any size with push() and it
 * returns the entries of every line completed so far; end() flushes the last line
 * and checks that the exposition was complete. Only the unfinished line is kept
 * between pushes, never the body. After a ParseError every later call throws it
 * again: a broken exposition has no meaningful continuation. */
export class ExpositionParser {
  private readonly lines: LineParser;
  private pending: string[] = [];
  private lineNo = 0;
  private sawEof = false;
  private ended = false;
  private error: ParseError | undefined;

  /** `lookup` lets a caller that remembers series skip their label parsing (the
   * scrape loop's cache); see SeriesLookup. */
  constructor(
    readonly format: ExpositionFormat,
    lookup?: SeriesLookup,
  ) {
    this.lines = new LineParser(format === "openmetrics", new MetadataState(format === "text"), lookup);
  }

  push(chunk: string): Entry[] {
    const out: Entry[] = [];
    this.guard(() => this.feed(chunk, out));
    return out;
  }

  end(): Entry[] {
    const out: Entry[] = [];
    this.guard(() => {
      if (this.ended) return;
      this.ended = true;
      if (this.pending.length > 0) {
        const last = this.pending.join("");
        this.pending = [];
        this.line(last, 0, last.length, out);
      }
      if (this.format === "openmetrics" && !this.sawEof) {
        throw new ParseError(this.lineNo + 1, 1, "data does not end with # EOF");
      }
    });
    return out;
  }

  /** Parses one complete line (without its line feed) of `src`; for callers that split
   * lines themselves. Returns undefined for lines that carry no entry. */
  line(src: string, start: number, end: number, out?: Entry[]): Entry | undefined {
    this.lineNo++;
    if (this.sawEof) throw new ParseError(this.lineNo, 1, "unexpected data after # EOF");
    const e = this.lines.parse(src, start, end, this.lineNo);
    if (e === EOF_LINE) {
      this.sawEof = true;
      return undefined;
    }
    if (e === null) return undefined;
    out?.push(e);
    return e;
  }

  private feed(chunk: string, out: Entry[]): void {
    if (this.ended) throw new ParseError(this.lineNo + 1, 1, "data after the end of the exposition");
    let nl = chunk.indexOf(LF);
    if (nl < 0) {
      if (chunk.length > 0) this.pending.push(chunk);
      return;
    }
    let start = 0;
    if (this.pending.length > 0) {
      this.pending.push(chunk.slice(0, nl));
      const joined = this.pending.join("");
      this.pending = [];
      this.line(joined, 0, joined.length, out);
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    while (nl >= 0) {
      this.line(chunk, start, nl, out);
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.pending.push(chunk.slice(start));
  }

  private guard(f: () => void): void {
    if (this.error !== undefined) throw this.error;
    try {
      f();
    } catch (e) {
      if (e instanceof ParseError) this.error = e;
      throw e;
    }
  }
}

/** Parses a whole exposition held in memory. */
export function parseExposition(text: string, format: ExpositionFormat): Entry[] {
  const p = new ExpositionParser(format);
  const out = p.push(text);
  for (const e of p.end()) out.push(e);
  return out;
}

/** Walks an exposition held in memory one entry at a time, so a consumer that stops
 * early (a sample limit) does no further work. */
export function* iterateExposition(text: string, format: ExpositionFormat): Generator<Entry, void, undefined> {
  const p = new ExpositionParser(format);
  let start = 0;
  for (let nl = text.indexOf(LF); nl >= 0; nl = text.indexOf(LF, start)) {
    const e = p.line(text, start, nl);
    start = nl + 1;
    if (e !== undefined) yield e;
  }
  p.push(text.slice(start));
  yield* p.end();
}
