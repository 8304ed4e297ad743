import { METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import type { Entry, Exemplar, MetadataEntry, SampleEntry } from "./entry.js";
import { ParseError } from "./errors.js";
import { formatOpenMetricsFloat, parseGoFloat, parseGoInt64, secondsToMillis } from "./float.js";
import { familySampleNames, type MetadataState } from "./metadata-state.js";

/** Consulted for each sample line with its series text: `name{labels}` exactly as
 * written, followed by a NUL and the label name when the line's family normalises
 * one (histogram `le`, summary `quantile`), since the same text then parses to other
 * labels. Whatever it returns other than undefined is handed back on the entry as
 * `cached`, and the label set is then not parsed (`labels` is empty). */
export interface SeriesLookup {
  (series: string): unknown;
  /** The caller's memory of the previous exposition's sample lines, in order. */
  readonly previous?: SeriesSequence;
  /** And of its metadata lines. */
  readonly metadata?: MetadataSequence;
}

/**
 * The metadata lines (HELP, TYPE, UNIT) of a previous exposition by position, as
 * SeriesSequence is for sample lines: a line equal to the k-th metadata line of last
 * time is last time's entry, without slicing or unescaping anything again (its
 * checks against the rest of the exposition still run).
 */
export interface MetadataSequence {
  at(k: number): PreviousMetadata | undefined;
  /** The k-th metadata line of this exposition (from its "#") was parsed into `entry`. */
  set(k: number, metadata: PreviousMetadata): void;
}

export interface PreviousMetadata {
  readonly line: string;
  /** Where the metric name starts in `line`. */
  readonly nameAt: number;
  readonly entry: MetadataEntry;
  /** A TYPE line's familySampleNames, for its check against earlier samples. */
  readonly sampleNames?: readonly string[] | undefined;
}

/**
 * The looked-up sample lines of a previous exposition, by position (the k-th line
 * the parser looked up). An exporter writes the same series in the same order every
 * time, so the parser first checks whether the k-th line starts with the k-th
 * series text of last time: a comparison, instead of building the text and hashing
 * it. A mismatch costs nothing more than the lookup it then does.
 */
export interface SeriesSequence {
  /** What the k-th lookup found last time, undefined when nothing. */
  at(k: number): PreviousSeries | undefined;
  /** The parser took at(k) for this exposition's k-th line (as a lookup hit). */
  take(k: number): unknown;
}

export interface PreviousSeries {
  /** The series text as written, up to the end of its label set. */
  readonly text: string;
  /** The metric name in it. */
  readonly name: string;
  /** The label the line's family normalised then (see above), undefined if none. */
  readonly normalised: string | undefined;
  /** What was looked up: `text`, with the NUL and `normalised` when set. */
  readonly series: string;
}

const NO_LABELS: Labels = Object.freeze([]);

/** Integers below 2^53 and powers of ten up to 1e22 are exact doubles. */
const MAX_EXACT_MANTISSA = 2 ** 53;
const MAX_EXACT_POW10 = 22;
const POW10 = Array.from({ length: MAX_EXACT_POW10 + 1 }, (_, i) => Number(`1e${i}`));

const TAB = 9;
const SP = 32;
const QUOTE = 34;
const HASH = 35;
const COMMA = 44;
const EQUAL = 61;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;

/** Returned for OpenMetrics' `# EOF` line; the caller enforces that nothing follows. */
export const EOF_LINE: unique symbol = Symbol("# EOF");

// OpenMetrics caps an exemplar's label names and values at 128 code points together.
const MAX_EXEMPLAR_LABEL_CHARS = 128;

const TEXT_TYPES: ReadonlyMap<string, MetricType> = new Map<string, MetricType>([
  ["counter", "counter"],
  ["gauge", "gauge"],
  ["histogram", "histogram"],
  ["summary", "summary"],
  ["untyped", "unknown"],
]);

const OPENMETRICS_TYPES: ReadonlyMap<string, MetricType> = new Map<string, MetricType>(
  (["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"] as const).map(
    (t) => [t, t],
  ),
);

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}

// Only metric names may contain colons (they are reserved for recording rules).
function isMetricNameStart(c: number): boolean {
  return isNameStart(c) || c === 58;
}

function isMetricNameChar(c: number): boolean {
  return isNameChar(c) || c === 58;
}

/** Parses one line at a time (without its line feed). The strictness differs by
 * format: the text format allows runs of blanks and tabs between tokens, blank
 * lines and free comments; OpenMetrics wants exactly one space and nothing else.
 * Scanning is by index over the caller's string, so a line costs one substring per
 * name it yields and no per-character work beyond the scan. Text is compared with
 * `slice(...) === text`, never `startsWith`: V8 compares the slice in one block
 * (2-5x faster than startsWith's per-character loop, in Node and workerd alike). */
export class LineParser {
  private src = "";
  private end = 0;
  private lineStart = 0;
  private lineNo = 0;
  private sawEmptyValue = false;
  // Set by scanQuoted: the position after the closing quote.
  private quotedEnd = 0;
  // Set by scanValue: the end of the value token.
  private valueEnd = 0;
  // Consecutive lines nearly always repeat the metric name and the label names in
  // the same order; reusing the previous strings when the bytes match saves an
  // allocation per token and hands consumers identical string instances.
  private prevMetric = "";
  private prevLabelNames: string[] = [];
  private prevExemplarNames: string[] = [];
  /** Lookups so far: the position of the next sample line in `lookup.previous`. */
  private looked = 0;
  /** Metadata lines so far: the position of the next in `lookup.metadata`. */
  private metaSeen = 0;

  constructor(
    private readonly om: boolean,
    private readonly state: MetadataState,
    private readonly lookup?: SeriesLookup,
  ) {}

  parse(src: string, start: number, end: number, lineNo: number): Entry | typeof EOF_LINE | null {
    this.src = src;
    this.end = end;
    this.lineStart = start;
    this.lineNo = lineNo;
    let p = start;
    if (!this.om) {
      p = this.skipBlanks(p);
      if (p === end) return null;
    } else if (p === end) {
      this.fail("unexpected empty line", p);
    }
    return src.charCodeAt(p) === HASH ? this.parseComment(p) : this.parseSample(p);
  }

  // ---- samples -------------------------------------------------------------------

  private parseSample(start: number): SampleEntry {
    const last = this.lookup?.previous?.at(this.looked);
    if (last !== undefined) {
      const after = start + last.text.length;
      const c = this.src.charCodeAt(after);
      // The text must end where the slow path would end it: at the value's separator,
      // and a bare name must not be followed by a label set (`name {...}`).
      const labelled = last.text.charCodeAt(last.text.length - 1) === RBRACE;
      if (
        after < this.end &&
        (c === SP || (c === TAB && !this.om)) &&
        this.src.slice(start, after) === last.text &&
        (labelled || this.src.charCodeAt(this.skipBlanks(after)) !== LBRACE)
      ) {
        this.state.sample(last.name);
        // Only a label set is normalised: a bare name is its own series text.
        if (!labelled || this.state.normalisedLabel(last.name) === last.normalised) {
          this.prevMetric = last.name;
          return this.sampleRest(last.name, this.separator(after, "value"), NO_LABELS, undefined, last.series, this.lookup!.previous!.take(this.looked++));
        }
      }
    }
    const src = this.src;
    const end = this.end;
    let p = this.scanMetricName(start);
    if (p === start) this.fail(this.expected("metric name", start), start);
    const prev = this.prevMetric;
    const name = p - start === prev.length && src.slice(start, p) === prev ? prev : (this.prevMetric = src.slice(start, p));
    this.state.sample(name);

    const nameEnd = p;
    if (!this.om) p = this.skipBlanks(p);
    let labels: Labels = NO_LABELS;
    let emptyLabels: string[] | undefined;
    let series: string | undefined;
    let cached: unknown;
    if (p < end && src.charCodeAt(p) === LBRACE) {
      const normalise = this.state.normalisedLabel(name);
      const close = this.lookup === undefined ? -1 : this.labelSetEnd(p + 1);
      if (close >= 0) {
        series = normalise === undefined ? src.slice(start, close) : src.slice(start, close) + "\u0000" + normalise;
        cached = this.lookup!(series);
        this.looked++;
      }
      if (cached === undefined) {
        const ls: Label[] = [{ name: METRIC_NAME, value: name }];
        p = this.parseLabelSet(p + 1, ls, normalise, this.prevLabelNames);
        if (p !== close) series = undefined;
        labels = ls;
        if (this.sawEmptyValue) {
          labels = ls.filter((l) => l.value !== "");
          emptyLabels = ls.filter((l) => l.value === "").map((l) => l.name);
        }
      } else {
        p = close;
      }
      p = this.separator(p, "value");
    } else {
      if (this.lookup !== undefined) {
        series = name;
        cached = this.lookup(name);
        this.looked++;
      }
      if (cached === undefined) labels = [{ name: METRIC_NAME, value: name }];
      if (this.om) p = this.separator(p, "label set or value");
      else if (p === nameEnd) this.fail(this.expected("label set or value", p), p);
    }
    return this.sampleRest(name, p, labels, emptyLabels, series, cached);
  }

  /** The value, timestamp and exemplar of a sample line from `p` on. */
  private sampleRest(name: string, p: number, labels: Labels, emptyLabels: string[] | undefined, series: string | undefined, cached: unknown): SampleEntry {
    const src = this.src;
    const end = this.end;
    const value = this.scanValue(p);
    let tokEnd = this.valueEnd;
    if (tokEnd === p) this.fail(this.expected("value", p), p);
    if (value === undefined) this.fail(`invalid value ${JSON.stringify(src.slice(p, tokEnd))}`, p);
    p = tokEnd;

    let timestamp: number | undefined;
    let exemplar: Exemplar | undefined;
    if (!this.om) {
      p = this.skipBlanks(p);
      if (p < end) {
        tokEnd = this.tokenEnd(p);
        timestamp = parseGoInt64(src.slice(p, tokEnd));
        if (timestamp === undefined) this.fail(this.expected("integer timestamp in milliseconds", p), p);
        p = this.skipBlanks(tokEnd);
        if (p < end) this.fail(this.expected("end of line after timestamp", p), p);
      }
    } else if (p < end) {
      p++; // in OpenMetrics a token ends only at the single separating space
      if (p === end) this.fail(this.expected("timestamp or exemplar", p), p);
      if (src.charCodeAt(p) !== HASH) {
        tokEnd = this.tokenEnd(p);
        timestamp = this.omTimestamp(p, tokEnd, "timestamp");
        p = tokEnd;
        if (p < end) exemplar = this.parseExemplar(this.separator(p, "exemplar"));
      } else {
        exemplar = this.parseExemplar(p);
      }
    }
    if (series !== undefined) return { kind: "sample", name, labels, value, timestamp, exemplar, emptyLabels, series, cached };
    return emptyLabels === undefined
      ? { kind: "sample", name, labels, value, timestamp, exemplar }
      : { kind: "sample", name, labels, value, timestamp, exemplar, emptyLabels };
  }

  /** Where a label set ends (after its closing brace), found without building
   * anything: only quoted values can hide a brace. -1 when the line ends first; a
   * malformed set is left to parseLabelSet to report. */
  private labelSetEnd(p: number): number {
    const src = this.src;
    const end = this.end;
    while (p < end) {
      const c = src.charCodeAt(p);
      if (c === RBRACE) return p + 1;
      if (c === QUOTE) {
        p++;
        while (p < end) {
          const d = src.charCodeAt(p);
          if (d === QUOTE) break;
          p += d === BACKSLASH ? 2 : 1;
        }
      }
      p++;
    }
    return -1;
  }

  private parseExemplar(p: number): Exemplar {
    const src = this.src;
    const end = this.end;
    if (!(src.charCodeAt(p) === HASH && src.charCodeAt(p + 1) === SP && src.charCodeAt(p + 2) === LBRACE)) {
      this.fail(this.expected(`exemplar "# {"`, p), p);
    }
    const ls: Label[] = [];
    const setStart = p + 2;
    p = this.parseLabelSet(p + 3, ls, undefined, this.prevExemplarNames);
    let chars = 0;
    for (const l of ls) chars += codePoints(l.name) + codePoints(l.value);
    if (chars > MAX_EXEMPLAR_LABEL_CHARS) {
      this.fail(`exemplar labels have ${chars} characters, more than ${MAX_EXEMPLAR_LABEL_CHARS}`, setStart);
    }
    const labels = this.sawEmptyValue ? ls.filter((l) => l.value !== "") : ls;
    p = this.separator(p, "exemplar value");
    let tokEnd = this.tokenEnd(p);
    const value = parseGoFloat(src.slice(p, tokEnd));
    if (value === undefined) this.fail(this.expected("exemplar value", p), p);
    p = tokEnd;
    if (p === end) return { labels, value };
    p = this.separator(p, "exemplar timestamp");
    tokEnd = this.tokenEnd(p);
    const timestamp = this.omTimestamp(p, tokEnd, "exemplar timestamp");
    if (tokEnd < end) this.fail(this.expected("end of line after exemplar", tokEnd), tokEnd);
    return { labels, value, timestamp };
  }

  private omTimestamp(p: number, tokEnd: number, what: string): number {
    const seconds = parseGoFloat(this.src.slice(p, tokEnd));
    if (seconds === undefined) this.fail(this.expected(what, p), p);
    if (!Number.isFinite(seconds)) this.fail(`invalid timestamp ${JSON.stringify(this.src.slice(p, tokEnd))}`, p);
    return secondsToMillis(seconds);
  }

  /** Parses `name="value",...}` after the opening brace into `ls`, sorted by name,
   * rejecting repeated names. Exporters nearly always emit names sorted, so each label
   * is a push checked against the last one; names out of order switch to a set for
   * the duplicate check and one sort at the end, which keeps a line with thousands of
   * labels in any order linear rather than quadratic. `prevNames` holds the previous
   * set's names for reuse. Returns the position after the closing brace. */
  private parseLabelSet(p: number, ls: Label[], normalise: string | undefined, prevNames: string[]): number {
    const src = this.src;
    const end = this.end;
    this.sawEmptyValue = false;
    let unordered: Set<string> | undefined;
    for (let k = 0; ; k++) {
      if (!this.om) p = this.skipBlanks(p);
      if (p < end && src.charCodeAt(p) === RBRACE) {
        if (unordered !== undefined) ls.sort(byName);
        return p + 1;
      }
      const nameStart = p;
      if (p < end && isNameStart(src.charCodeAt(p))) {
        p++;
        while (p < end && isNameChar(src.charCodeAt(p))) p++;
      }
      if (p === nameStart) this.fail(this.expected("label name", p), p);
      const known = prevNames[k];
      let name: string;
      if (known !== undefined && p - nameStart === known.length && src.slice(nameStart, p) === known) name = known;
      else prevNames[k] = name = src.slice(nameStart, p);
      if (!this.om) p = this.skipBlanks(p);
      if (p >= end || src.charCodeAt(p) !== EQUAL) this.fail(this.expected("equal", p), p);
      p++;
      if (!this.om) p = this.skipBlanks(p);
      if (p >= end || src.charCodeAt(p) !== QUOTE) this.fail(this.expected("label value", p), p);
      let value = this.scanQuoted(p);
      p = this.quotedEnd;
      if (value === "") this.sawEmptyValue = true;
      else if (name === normalise) value = normaliseFloatLabel(value);
      if (unordered === undefined) {
        const last = ls.length > 0 ? ls[ls.length - 1]!.name : undefined;
        if (last === name) this.fail(`duplicate label name "${name}"`, nameStart);
        if (last !== undefined && name < last) unordered = new Set(ls.map((l) => l.name));
      }
      if (unordered !== undefined) {
        if (unordered.has(name)) this.fail(`duplicate label name "${name}"`, nameStart);
        unordered.add(name);
      }
      ls.push({ name, value });
      if (!this.om) p = this.skipBlanks(p);
      const c = src.charCodeAt(p);
      if (p < end && c === COMMA) p++;
      else if (!(p < end && c === RBRACE)) this.fail(this.expected("comma or brace close", p), p);
    }
  }

  /** Reads a quoted label value starting at its opening quote. Escapes are `\\`,
   * `\"` and `\n`; like Prometheus, any other backslash pair is kept as written. */
  private scanQuoted(open: number): string {
    const src = this.src;
    const end = this.end;
    let q = open + 1;
    let segStart = q;
    let out: string | undefined;
    for (;;) {
      if (q >= end) this.fail("unterminated label value", open);
      const c = src.charCodeAt(q);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        if (q + 1 >= end) this.fail("unterminated label value", open);
        const n = src.charCodeAt(q + 1);
        const piece = n === BACKSLASH ? "\\" : n === QUOTE ? '"' : n === 110 ? "\n" : src.slice(q, q + 2);
        out = (out ?? "") + src.slice(segStart, q) + piece;
        q += 2;
        segStart = q;
        continue;
      }
      q++;
    }
    this.quotedEnd = q + 1;
    return out === undefined ? src.slice(open + 1, q) : out + src.slice(segStart, q);
  }

  // ---- comments and metadata -------------------------------------------------------

  private parseComment(hash: number): Entry | typeof EOF_LINE | null {
    const src = this.src;
    const end = this.end;
    const known = this.lookup?.metadata;
    if (known !== undefined) {
      const last = known.at(this.metaSeen);
      if (last !== undefined && end - hash === last.line.length && src.slice(hash, end) === last.line) {
        this.metaSeen++;
        const e = last.entry;
        const reason = e.kind === "help" ? this.state.help(e.name) : e.kind === "type" ? this.state.type(e.name, e.type, last.sampleNames) : this.state.unit(e.name);
        if (reason !== undefined) this.fail(reason, hash + last.nameAt);
        return e;
      }
    }
    let p = hash + 1;
    if (!this.om) {
      // Only "#", blanks, HELP or TYPE, blanks makes metadata; anything else is a
      // free comment, including "#HELP" and "# UNIT" (the text format has no units).
      const afterHash = p;
      p = this.skipBlanks(p);
      if (p === afterHash) return null;
      const wordEnd = this.wordEnd(p);
      const word = src.slice(p, wordEnd);
      if ((word !== "HELP" && word !== "TYPE") || wordEnd === end || !isBlank(src.charCodeAt(wordEnd))) return null;
      return this.metadataLine(hash, word, this.skipBlanks(wordEnd));
    }
    if (p >= end || src.charCodeAt(p) !== SP) this.fail(this.expected(`space after "#"`, p), p);
    p++;
    const wordEnd = this.wordEnd(p);
    const word = src.slice(p, wordEnd);
    if (word === "EOF") {
      if (wordEnd < end) this.fail(this.expected("end of line after # EOF", wordEnd), wordEnd);
      return EOF_LINE;
    }
    if (word !== "HELP" && word !== "TYPE" && word !== "UNIT") {
      this.fail(this.expected("HELP, TYPE, UNIT or EOF", p), p);
    }
    if (wordEnd >= end || src.charCodeAt(wordEnd) !== SP) this.fail(this.expected("space", wordEnd), wordEnd);
    return this.metadataLine(hash, word, wordEnd + 1);
  }

  /** parseMetadata, remembered for the next exposition when the caller keeps lines. */
  private metadataLine(hash: number, word: "HELP" | "TYPE" | "UNIT", p: number): Entry {
    const entry = this.parseMetadata(word, p);
    const known = this.lookup?.metadata;
    if (known !== undefined) {
      const sampleNames = entry.kind === "type" ? familySampleNames(entry.name, entry.type) : undefined;
      known.set(this.metaSeen++, { line: this.src.slice(hash, this.end), nameAt: p - hash, entry, sampleNames });
    }
    return entry;
  }

  private parseMetadata(word: "HELP" | "TYPE" | "UNIT", p: number): MetadataEntry {
    const src = this.src;
    const end = this.end;
    const nameStart = p;
    p = this.scanMetricName(p);
    if (p === nameStart) this.fail(this.expected(`metric name after ${word}`, p), p);
    const name = src.slice(nameStart, p);
    let text = "";
    if (p < end) {
      const c = src.charCodeAt(p);
      if (!(this.om ? c === SP : isBlank(c))) this.fail(this.expected("space after metric name", p), p);
      text = src.slice(p + 1, end);
    }
    let reason: string | undefined;
    let entry: Entry;
    if (word === "HELP") {
      entry = { kind: "help", name, help: text.includes("\\") ? unescapeHelp(text, this.om) : text };
      reason = this.state.help(name);
    } else if (word === "TYPE") {
      const typeName = this.om ? text : text.trim();
      const type = (this.om ? OPENMETRICS_TYPES : TEXT_TYPES).get(typeName);
      if (type === undefined) this.fail(`invalid metric type ${JSON.stringify(typeName)}`, Math.min(p + 1, end));
      entry = { kind: "type", name, type };
      reason = this.state.type(name, type);
    } else {
      if (text !== "" && !(name.length > text.length && name.endsWith(text) && name.charCodeAt(name.length - text.length - 1) === 95)) {
        this.fail(`unit ${JSON.stringify(text)} not a suffix of metric ${JSON.stringify(name)}`, p + 1);
      }
      entry = { kind: "unit", name, unit: text };
      reason = this.state.unit(name);
    }
    if (reason !== undefined) this.fail(reason, nameStart);
    return entry;
  }

  // ---- scanning helpers --------------------------------------------------------------

  private scanMetricName(p: number): number {
    const src = this.src;
    const end = this.end;
    if (p >= end || !isMetricNameStart(src.charCodeAt(p))) return p;
    p++;
    while (p < end && isMetricNameChar(src.charCodeAt(p))) p++;
    return p;
  }

  private skipBlanks(p: number): number {
    const src = this.src;
    const end = this.end;
    while (p < end) {
      const c = src.charCodeAt(p);
      if (c !== SP && c !== TAB) break;
      p++;
    }
    return p;
  }

  /** Reads a sample value token. Most values are decimals with at most 15 digits and
   * a small exponent ("12.5", "-3", "1.2e+09"): their digits make an exact integer
   * and the power of ten is exact too, so one multiplication or division gives the
   * correctly rounded double, the very value Number() and Go's ParseFloat give
   * (Clinger's fast path), without slicing the token. The rest (long mantissas,
   * large exponents, Inf, NaN, a "+" sign, garbage) takes the full syntax check. */
  private scanValue(p: number): number | undefined {
    const src = this.src;
    const end = this.end;
    let q = p;
    let c = src.charCodeAt(q);
    const negative = q < end && c === 45;
    if (negative) c = src.charCodeAt(++q);
    let mantissa = 0;
    let digits = 0;
    let fraction = -1;
    for (; q < end; c = src.charCodeAt(++q)) {
      if (c >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (c === 46 && fraction < 0) fraction = 0;
      else break;
    }
    let exponent = 0;
    if (q < end && (c | 0x20) === 101 && digits > 0) {
      c = src.charCodeAt(++q);
      const negativeExponent = q < end && c === 45;
      if (negativeExponent || (q < end && c === 43)) c = src.charCodeAt(++q);
      let expDigits = 0;
      for (; q < end && c >= 48 && c <= 57 && expDigits < 6; c = src.charCodeAt(++q), expDigits++) exponent = exponent * 10 + (c - 48);
      if (expDigits === 0 || expDigits === 6) return this.slowValue(p, q);
      if (negativeExponent) exponent = -exponent;
    }
    if (q < end && !(c === SP || (c === TAB && !this.om))) return this.slowValue(p, q);
    this.valueEnd = q;
    if (digits === 0 || mantissa >= MAX_EXACT_MANTISSA) return this.slowValue(p, q);
    const e10 = exponent - (fraction > 0 ? fraction : 0);
    let v: number;
    if (e10 === 0) v = mantissa;
    else if (e10 > 0 && e10 <= MAX_EXACT_POW10) v = mantissa * POW10[e10]!;
    else if (e10 < 0 && e10 >= -MAX_EXACT_POW10) v = mantissa / POW10[-e10]!;
    else return this.slowValue(p, q);
    return negative ? -v : v;
  }

  /** scanValue for what its fast path does not take: from `p`, where the token
   * starts, with its end searched from `q` on. */
  private slowValue(p: number, q: number): number | undefined {
    const src = this.src;
    const end = this.end;
    for (; q < end; q++) {
      const c = src.charCodeAt(q);
      if (c === SP || (c === TAB && !this.om)) break;
    }
    this.valueEnd = q;
    return parseGoFloat(src.slice(p, q));
  }

  /** End of a value or timestamp token: the next separator for this format. */
  private tokenEnd(p: number): number {
    const src = this.src;
    const end = this.end;
    if (this.om) {
      const i = src.indexOf(" ", p);
      return i < 0 || i > end ? end : i;
    }
    while (p < end) {
      const c = src.charCodeAt(p);
      if (c === SP || c === TAB) break;
      p++;
    }
    return p;
  }

  private wordEnd(p: number): number {
    const src = this.src;
    const end = this.end;
    while (p < end) {
      const c = src.charCodeAt(p);
      if (c < 65 || c > 90) break;
      p++;
    }
    return p;
  }

  /** Consumes the separator before the next token: blanks in the text format, exactly
   * one space in OpenMetrics. */
  private separator(p: number, next: string): number {
    const c = this.src.charCodeAt(p);
    if (p >= this.end || (c !== SP && (this.om || c !== TAB))) this.fail(this.expected(`space before ${next}`, p), p);
    if (this.om) return p + 1;
    return this.skipBlanks(p);
  }

  private expected(what: string, at: number): string {
    return `expected ${what}, got ${this.describe(at)}`;
  }

  /** Names what the parser found at `at`: the rest of a word, or one delimiter. */
  private describe(at: number): string {
    const src = this.src;
    const end = this.end;
    if (at >= end) return "end of line";
    let p = at;
    while (p < end && p - at < 24) {
      const c = src.charCodeAt(p);
      if (c === SP || c === TAB || c === LBRACE || c === RBRACE || c === EQUAL || c === COMMA || c === QUOTE) break;
      p++;
    }
    if (p === at) p = at + 1;
    return JSON.stringify(src.slice(at, p));
  }

  private fail(reason: string, at: number): never {
    const column = codePoints(this.src.slice(this.lineStart, Math.min(at, this.end))) + 1;
    throw new ParseError(this.lineNo, column, reason);
  }
}

function isBlank(c: number): boolean {
  return c === SP || c === TAB;
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function normaliseFloatLabel(v: string): string {
  const f = parseGoFloat(v);
  return f === undefined ? v : formatOpenMetricsFloat(f);
}

/** HELP escapes: `\\` and `\n` in the text format, plus `\"` in OpenMetrics. */
function unescapeHelp(s: string, om: boolean): string {
  let out = "";
  let seg = 0;
  for (let i = 0; i < s.length - 1; i++) {
    if (s.charCodeAt(i) !== BACKSLASH) continue;
    const n = s.charCodeAt(i + 1);
    const piece = n === BACKSLASH ? "\\" : n === 110 ? "\n" : om && n === QUOTE ? '"' : undefined;
    if (piece === undefined) continue;
    out += s.slice(seg, i) + piece;
    i++;
    seg = i + 1;
  }
  return out + s.slice(seg);
}
