import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ExpositionParser,
  iterateExposition,
  parseExposition,
  parseExpositionStream,
  ParseError,
  type Entry,
  type ExpositionFormat,
} from "../../src/textparse/index.js";
import { fuzz, fuzzAsync, fuzzOptions, fuzzTimeout } from "./fuzz_options.js";
import { bestTime } from "../support/growth.js";

/** Fuzzing the exposition parsers (Prometheus text 0.0.4 and OpenMetrics 1.0), the
 * input path of every scrape: whatever a target sends, the parser answers entries or
 * a ParseError naming a line and column, the same however the body is cut into
 * chunks on the wire, in time linear in the body. */

const FORMATS: ExpositionFormat[] = ["text", "openmetrics"];

type Outcome = { entries: Entry[] } | { error: ParseError };

function fail(msg: string): never {
  throw new Error(msg);
}

/** The parse of `input`; anything but a ParseError escapes and fails the property. */
function whole(input: string, format: ExpositionFormat): Outcome {
  try {
    return { entries: parseExposition(input, format) };
  } catch (e) {
    if (e instanceof ParseError) return { error: checkError(e, input) };
    throw e;
  }
}

function checkError(e: ParseError, input: string): ParseError {
  const lines = input.split("\n").length;
  if (!(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines + 1)) fail(`line ${e.line} outside 1..${lines + 1}: ${e.message}`);
  if (!(Number.isInteger(e.column) && e.column >= 1)) fail(`column ${e.column}: ${e.message}`);
  if (e.reason === "" || !e.message.startsWith(`line ${e.line}, column ${e.column}: `)) fail(`malformed message ${JSON.stringify(e.message)}`);
  return e;
}

function sameOutcome(a: Outcome, b: Outcome, what: string, input: string): void {
  if ("error" in a && "error" in b) {
    if (a.error.line === b.error.line && a.error.column === b.error.column && a.error.reason === b.error.reason) return;
    fail(`${what}: ${JSON.stringify(input)} fails as ${JSON.stringify(b.error.message)}, whole as ${JSON.stringify(a.error.message)}`);
  }
  if ("entries" in a && "entries" in b) {
    if (isDeepStrictEqual(a.entries, b.entries)) return;
    fail(`${what}: ${JSON.stringify(input)} yields different entries than parsed whole`);
  }
  fail(`${what}: ${JSON.stringify(input)} ${"error" in a ? `fails whole (${a.error.message})` : "parses whole"} but not in pieces`);
}

/** Sorted, distinct cut positions in [0, n]. */
function cutsOf(raw: readonly number[], n: number): number[] {
  return [...new Set(raw.map((c) => c % (n + 1)))].sort((a, b) => a - b);
}

function pushed(input: string, format: ExpositionFormat, cuts: number[]): Outcome {
  const p = new ExpositionParser(format);
  const entries: Entry[] = [];
  try {
    let from = 0;
    for (const c of [...cuts, input.length]) {
      entries.push(...p.push(input.slice(from, c)));
      from = c;
    }
    entries.push(...p.end());
    return { entries };
  } catch (e) {
    if (e instanceof ParseError) return { error: e };
    throw e;
  }
}

function iterated(input: string, format: ExpositionFormat): Outcome {
  try {
    return { entries: [...iterateExposition(input, format)] };
  } catch (e) {
    if (e instanceof ParseError) return { error: e };
    throw e;
  }
}

async function streamed(bytes: Uint8Array, format: ExpositionFormat, cuts: number[], readable: boolean): Promise<Outcome> {
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    pieces.push(bytes.slice(from, c));
    from = c;
  }
  const source = readable
    ? new ReadableStream<Uint8Array>({
        start(ctl) {
          for (const p of pieces) ctl.enqueue(p);
          ctl.close();
        },
      })
    : (async function* () {
        yield* pieces;
      })();
  const entries: Entry[] = [];
  try {
    for await (const e of parseExpositionStream(source, format)) entries.push(e);
    return { entries };
  } catch (e) {
    if (e instanceof ParseError) return { error: e };
    throw e;
  }
}

// ---- generators ------------------------------------------------------------------

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
function ident(first: string, rest: string, max: number): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...first), fc.string({ unit: fc.constantFrom(...rest), maxLength: max })).map(([a, b]) => a + b);
}
const metricName = fc.oneof(
  ident(LETTERS + ":", LETTERS + ":0123456789", 10),
  fc.constantFrom("go_gc_duration_seconds", "http_requests_total", "x", "a:b:c", "_", "up"),
);
const labelName = fc.oneof(ident(LETTERS, LETTERS + "0123456789", 8), fc.constantFrom("le", "quantile", "job", "instance", "__name__"));
/** Label value bodies as written between the quotes, escapes included. */
const labelValue = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 6 }).map((s) => s.replace(/[\\"\n]/g, "")),
      fc.constantFrom("\\\\", '\\"', "\\n", "\\t", "\\x", "é", "😀", "\u2028", "\t", " ", "{", "}", ",", "=", "#", "0.5", "+Inf", "1e3"),
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(""));
const textValue = fc.oneof(
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom("NaN", "+Inf", "-Inf", "Inf", "inf", "+infinity", "-0", "0", "1e3", "1E-3", ".5", "5.", "1.5e+10", "0x1f", "1_000", "1e999", "", "nan", "--1"),
);
const textTimestamp = fc.oneof(
  fc.integer({ min: -1e13, max: 1e13 }).map(String),
  fc.constantFrom("9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5", "1e3", "+5", "-0"),
);
const omTimestamp = fc.oneof(
  fc.double({ min: -1e10, max: 1e10, noNaN: true }).map(String),
  fc.constantFrom("1520879607.789", "0", "-1.5", "1e9", "NaN", "+Inf", "1_0"),
);
const exemplar = fc
  .tuple(fc.array(fc.tuple(labelName, labelValue), { maxLength: 3 }), textValue, fc.option(omTimestamp, { nil: undefined }))
  .map(([ls, v, ts]) => ` # {${ls.map(([n, x]) => `${n}="${x}"`).join(",")}} ${v}${ts === undefined ? "" : " " + ts}`);
const TYPES = ["counter", "gauge", "histogram", "summary", "untyped", "unknown", "gaugehistogram", "info", "stateset", "bogus"];

function sampleLine(format: ExpositionFormat): fc.Arbitrary<string> {
  const om = format === "openmetrics";
  const sep = om ? fc.constant(" ") : fc.constantFrom(" ", "  ", "\t", " \t");
  return fc
    .record({
      name: metricName,
      labels: fc.option(fc.array(fc.tuple(labelName, labelValue), { maxLength: 4 }), { nil: undefined }),
      trailingComma: fc.boolean(),
      sep,
      value: textValue,
      ts: fc.option(om ? omTimestamp : textTimestamp, { nil: undefined }),
      ex: om ? fc.option(exemplar, { nil: undefined }) : fc.constant(undefined),
    })
    .map(({ name, labels, trailingComma, sep, value, ts, ex }) => {
      const set = labels === undefined ? "" : `{${labels.map(([n, v]) => `${n}="${v}"`).join(",")}${trailingComma && labels.length > 0 ? "," : ""}}`;
      return `${name}${set}${sep}${value}${ts === undefined ? "" : sep + ts}${ex ?? ""}`;
    });
}

function metadataLine(format: ExpositionFormat): fc.Arbitrary<string> {
  const help = fc.array(fc.oneof(fc.string({ maxLength: 8 }).map((s) => s.replace(/\n/g, "")), fc.constantFrom("\\\\", "\\n", '\\"', "\\")), { maxLength: 3 }).map((p) => p.join(""));
  const kinds: fc.Arbitrary<string>[] = [
    fc.tuple(metricName, help).map(([n, h]) => `# HELP ${n} ${h}`),
    fc.tuple(metricName, fc.constantFrom(...TYPES)).map(([n, t]) => `# TYPE ${n} ${t}`),
    fc.tuple(metricName, fc.constantFrom("seconds", "bytes", "", "total")).map(([n, u]) => `# UNIT ${n} ${u}`),
  ];
  if (format === "text") kinds.push(fc.constantFrom("", "   ", "# a free comment", "#HELP x y", "#", "# HELP", "\t# TYPE x counter"));
  return fc.oneof(...kinds);
}

/** A page built from the format's grammar: families whose metadata precedes
 * samples named after them, plus stray lines. Most pages are valid. */
function page(format: ExpositionFormat): fc.Arbitrary<string> {
  const om = format === "openmetrics";
  const family = fc
    .record({
      name: ident("abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz_", 8),
      type: fc.constantFrom(...(om ? ["counter", "gauge", "histogram", "summary", "unknown", "info", "stateset", "gaugehistogram"] : ["counter", "gauge", "histogram", "summary", "untyped"])),
      help: fc.option(fc.string({ maxLength: 20 }).map((s) => s.replace(/[\n\\]/g, " ")), { nil: undefined }),
      rows: fc.array(sampleLine(format), { maxLength: 4 }),
    })
    .map(({ name, type, help, rows }) => {
      const suffixes: Record<string, string[]> = {
        counter: om ? ["_total", "_created"] : [""],
        histogram: ["_bucket", "_sum", "_count"],
        gaugehistogram: ["_bucket", "_gsum", "_gcount"],
        summary: ["", "_sum", "_count"],
        info: ["_info"],
      };
      const lines: string[] = [];
      if (help !== undefined) lines.push(`# HELP ${name} ${help}`);
      lines.push(`# TYPE ${name} ${type}`);
      rows.forEach((row, i) => {
        const sfx = suffixes[type] ?? [""];
        // Re-aim the generated sample at this family, keeping its labels and value.
        const rest = row.replace(/^[a-zA-Z_:][a-zA-Z0-9_:]*/, "");
        lines.push(`${name}${sfx[i % sfx.length]}${rest}`);
      });
      return lines;
    });
  return fc
    .array(fc.oneof({ weight: 4, arbitrary: family }, { weight: 1, arbitrary: fc.array(fc.oneof(sampleLine(format), metadataLine(format)), { maxLength: 2 }) }), {
      maxLength: 5,
    })
    .chain((blocks) => fc.tuple(fc.constant(blocks.flat()), fc.boolean(), fc.boolean()))
    .map(([lines, eof, finalNewline]) => {
      if (om && eof) lines.push("# EOF");
      return lines.join("\n") + (finalNewline || (om && eof) ? "\n" : "");
    });
}

const FRAGMENTS = [
  "{", "}", '"', "\\", "\\\\", '\\"', "=", ",", " ", "  ", "\t", "\n", "\r\n", "\r", "#", "# ", "# EOF", "# EOF\n", "# HELP ", "# TYPE ",
  "# UNIT ", " counter", " histogram", "\n# TYPE x summary\n", "_total", "_bucket", '{le="+Inf"}', '{quantile="0.5"}', "NaN", "+Inf",
  "-Inf", "1e999", "-0", "0x10", " 1", " 1 2", " # {a=\"b\"} 1", " # {} 1 1.5", "\u0000", "\ufeff", "é", "😀", "\ud83d", "\ude00",
  "\u2028", "x", ":", "9", "_",
];

type Edit = { kind: "insert" | "delete" | "dup" | "swap" | "truncate"; at: number; len: number; text: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom("insert", "insert", "delete", "dup", "swap", "truncate"),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 16 }),
  text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: "binary", maxLength: 3 })),
});

function mutate(s: string, edits: readonly Edit[]): string {
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    switch (e.kind) {
      case "insert":
        s = s.slice(0, at) + e.text + s.slice(at);
        break;
      case "delete":
        s = s.slice(0, at) + s.slice(at + e.len);
        break;
      case "dup":
        s = s.slice(0, at) + s.slice(at, at + e.len) + s.slice(at);
        break;
      case "swap": {
        const lines = s.split("\n");
        const i = at % lines.length;
        const j = (i + e.len) % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        s = lines.join("\n");
        break;
      }
      case "truncate":
        s = s.slice(0, at);
        break;
    }
  }
  return s;
}

const mutatedPage = (format: ExpositionFormat) =>
  fc.tuple(page(format), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([p, edits]) => mutate(p, edits));

const cuts = fc.array(fc.nat(), { maxLength: 8 });

// ---- properties ------------------------------------------------------------------

describe("fuzzing the exposition parsers", () => {
  for (const format of FORMATS) {
    describe(format, () => {
      it("throws nothing but a ParseError with a line and column, for any string", () => {
        const input = fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 40 }),
          fc.string({ unit: fc.constantFrom(..."ab_:{}\"\\=, \t\n#019.eE+-"), maxLength: 80 }),
        );
        fuzz(fc.property(input, (s) => void whole(s, format)));
      });

      it("grammar-built pages, mutated or not, parse the same whole, pushed in pieces and iterated", () => {
        let valid = 0;
        fuzz(
          fc.property(fc.oneof(page(format), mutatedPage(format)), cuts, (input, raw) => {
            const a = whole(input, format);
            if ("entries" in a) valid++;
            sameOutcome(a, pushed(input, format, cutsOf(raw, input.length)), "pushed in pieces", input);
            sameOutcome(a, iterated(input, format), "iterated", input);
          }),
          2,
        );
        // A generator that only produced garbage would test the error path alone.
        expect(valid).toBeGreaterThan(fuzzOptions(2).numRuns / 20);
      }, fuzzTimeout());

      it("grammar-built pages parse the same from a byte stream cut anywhere, even inside a UTF-8 sequence", async () => {
        const encoder = new TextEncoder();
        let valid = 0;
        await fuzzAsync(
          fc.asyncProperty(fc.oneof(page(format), mutatedPage(format)), cuts, fc.boolean(), async (input, raw, readable) => {
            const bytes = encoder.encode(input);
            // What the stream sees: lone surrogates become U+FFFD on the way to bytes.
            const decoded = new TextDecoder().decode(bytes);
            const a = whole(decoded, format);
            if ("entries" in a) valid++;
            sameOutcome(a, await streamed(bytes, format, cutsOf(raw, bytes.length), readable), "streamed", decoded);
          }),
          4,
        );
        expect(valid).toBeGreaterThan(fuzzOptions(4).numRuns / 20);
      }, fuzzTimeout());

      it("random bytes in a stream end in entries or a ParseError", async () => {
        await fuzzAsync(
          fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), cuts, async (bytes, raw) => {
            const a = whole(new TextDecoder().decode(bytes), format);
            const b = await streamed(bytes, format, cutsOf(raw, bytes.length), false);
            if ("error" in b) checkError(b.error, new TextDecoder().decode(bytes));
            sameOutcome(a, b, "streamed bytes", new TextDecoder().decode(bytes));
          }),
          4,
        );
      }, fuzzTimeout());

      it("a valid page parses identically however it is chunked", () => {
        let checked = 0;
        fuzz(
          fc.property(page(format), fc.array(cuts, { minLength: 2, maxLength: 3 }), (input, cutSets) => {
            const a = whole(input, format);
            if (!("entries" in a)) return;
            checked++;
            for (const raw of cutSets) sameOutcome(a, pushed(input, format, cutsOf(raw, input.length)), "chunked", input);
          }),
          2,
        );
        expect(checked).toBeGreaterThan(fuzzOptions(2).numRuns / 20);
      }, fuzzTimeout());
    });
  }
});

// ---- time bounds -------------------------------------------------------------------

const SIZE = 100_000;

function parseQuietly(input: string, format: ExpositionFormat): void {
  try {
    parseExposition(input, format);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
}

/** Adversarial 100 KB bodies: one huge token, a run of one delimiter, or very many
 * labels, the shapes where a backtracking or quadratic scanner would show. */
function hostile(format: ExpositionFormat): fc.Arbitrary<string> {
  const unit = fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ minLength: 1, maxLength: 4 }));
  const repeat = (u: string) => u.repeat(Math.ceil(SIZE / Math.max(1, u.length))).slice(0, SIZE);
  const eof = format === "openmetrics" ? "\n# EOF\n" : "\n";
  const labels = (n: number, name: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => `${name(i)}="v"`).join(",");
  return fc.oneof(
    unit.map(repeat),
    unit.map((u) => `x{a="${repeat(u).replace(/"/g, "")}"} 1${eof}`),
    fc.constantFrom("\\\\", '\\"', "\\n", "\\").map((u) => `x{a="${repeat(u)}"} 1${eof}`),
    fc.constantFrom("1", "9", ".", "e", "-").map((u) => `x ${repeat(u)}${eof}`),
    fc.constantFrom(" ", "\t").map((u) => `x${repeat(u)}1${eof}`),
    fc.integer({ min: 2000, max: 9000 }).map((n) => `x{${labels(n, (i) => `l${String(n - i).padStart(5, "0")}`)}} 1${eof}`),
    fc.integer({ min: 2000, max: 9000 }).map((n) => `x{${labels(n, (i) => `l${String(i).padStart(5, "0")}`)}} 1${eof}`),
    fc.integer({ min: 2000, max: 9000 }).map((n) => `x{${labels(n, () => "same")}} 1${eof}`),
    fc.integer({ min: 1000, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => `# HELP m${i} h\n# TYPE m${i} gauge\nm${i} ${i}`).join("\n") + eof),
    fc.integer({ min: 1000, max: 5000 }).map((n) => Array.from({ length: n }, () => "# TYPE same counter").join("\n") + eof),
    fc.constant(`x 1 # {${labels(2000, (i) => `e${i}`)}} 1${eof}`),
    fc.constant(`# HELP x ${repeat("\\n\\\\")}${eof}`),
  );
}

describe("fuzzing the exposition parsers for time", () => {
  for (const format of FORMATS) {
    it(`parses hostile 100 KB bodies in time comparable to a plain 100 KB page (${format})`, () => {
      const lines: string[] = [];
      for (let i = 0, n = 0; n < SIZE; i++) {
        const l = `# TYPE m${i} gauge\nm${i}{job="api",instance="10.0.0.${i % 256}:9100",path="/v1/x"} ${i * 1.5}`;
        lines.push(l);
        n += l.length + 1;
      }
      const plain = lines.join("\n") + (format === "openmetrics" ? "\n# EOF\n" : "\n");
      parseExposition(plain, format);
      const baseline = Math.max(bestTime(() => parseExposition(plain, format), 3, 0), 1);
      fuzz(
        fc.property(hostile(format), (input) => {
          const ms = bestTime(() => parseQuietly(input, format), 3, 0);
          // Linear work stays within a small factor of the baseline; quadratic work on
          // 100 KB is thousands of times slower.
          if (ms > baseline * 30) fail(`${JSON.stringify(input.slice(0, 80))}... (${input.length} chars) took ${ms.toFixed(1)} ms, baseline ${baseline.toFixed(1)} ms`);
        }),
        50,
      );
    }, fuzzTimeout());
  }
});
