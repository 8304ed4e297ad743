import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelsFromRecord, METRIC_NAME } from "../../src/model/labels.js";
import type { MetricType } from "../../src/model/metadata.js";
import {
  ExpositionParser,
  FAMILY_SUFFIXES,
  formatOpenMetricsFloat,
  groupFamilies,
  parseExposition,
  parseExpositionStream,
  ParseError,
  writeExposition,
  type Entry,
  type ExpositionFormat,
  type FamilySample,
  type MetricFamily,
} from "../../src/textparse/index.js";
import { holds, holdsAsync } from "../support/property.js";

const TEXT_TYPES: MetricType[] = ["counter", "gauge", "histogram", "summary", "unknown"];
const OM_TYPES: MetricType[] = [...TEXT_TYPES, "gaugehistogram", "info", "stateset"];

// Strings that exercise escaping and the format's own punctuation.
const tricky = fc.constantFrom('"', "\\", "\n", "\\n", '\\"', " # {", "}", "{", ",", "=", "\t", " ", "é", "😀", "\u2028", "\0");
const text = fc
  .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 6 }), tricky), { maxLength: 5 })
  .map((parts) => parts.join(""));
const nonEmptyText = text.filter((s) => s !== "");
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const NAME_START = LOWER + LOWER.toUpperCase() + "_";
// Built from character sets rather than fc.stringMatching, which is far slower.
function name(first: string, rest: string, maxRest: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...first), fc.string({ unit: fc.constantFrom(...rest), maxLength: maxRest }))
    .map(([a, b]) => a + b);
}
const labelName = name(NAME_START, NAME_START + "0123456789", 8)
  .filter((n) => n !== METRIC_NAME && n !== "le" && n !== "quantile");
const labelRecord = fc.dictionary(labelName, nonEmptyText, { maxKeys: 4 });
// -0 prints as "0" in both formats, as client_golang does.
const value = fc.double().map((v) => (Object.is(v, -0) ? 0 : v));
const timestamp = fc.option(fc.integer({ min: -4e12, max: 4e12 }), { nil: undefined });
const exemplar = fc.record({
  labels: fc.dictionary(name(LOWER + "_", LOWER + "_", 7), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 10 }), {
    maxKeys: 3,
  }),
  value,
  timestamp,
});

function familyArb(format: ExpositionFormat, index: number): fc.Arbitrary<MetricFamily> {
  const om = format === "openmetrics";
  return fc
    .record({
      stem: name(LOWER, LOWER + ":", 6),
      type: fc.constantFrom(...(om ? OM_TYPES : TEXT_TYPES)),
      help: text,
      unit: om ? fc.constantFrom("", "seconds", "bytes") : fc.constant(""),
      rows: fc.array(
        fc.record({ suffix: fc.nat(), labels: labelRecord, bound: fc.double(), value, timestamp, exemplar: fc.option(exemplar) }),
        { maxLength: 6 },
      ),
    })
    .map(({ stem, type, help, unit, rows }) => {
      // The index keeps names unique and ending in a digit or the unit, so no family
      // name is another family's name plus a type suffix.
      const name = `${stem}_${index}${unit === "" ? "" : "_" + unit}`;
      const suffixes = FAMILY_SUFFIXES[type];
      const samples = rows.map((r): FamilySample => {
        const suffix = suffixes[r.suffix % suffixes.length]!;
        const rec: Record<string, string> = { ...r.labels, [METRIC_NAME]: name + suffix };
        // Bucket bounds and quantiles are given in the canonical form the parser
        // normalises to, so that the round trip is an identity.
        if (suffix === "_bucket") rec.le = formatOpenMetricsFloat(r.bound);
        if (type === "summary" && suffix === "") rec.quantile = formatOpenMetricsFloat(r.bound);
        const s: FamilySample = { labels: labelsFromRecord(rec), value: r.value, timestamp: r.timestamp };
        if (!om || r.exemplar === null) return s;
        return {
          ...s,
          exemplar: { labels: labelsFromRecord(r.exemplar.labels), value: r.exemplar.value, timestamp: r.exemplar.timestamp },
        };
      });
      return { name, type, help, unit, samples };
    });
}

function familiesArb(format: ExpositionFormat): fc.Arbitrary<MetricFamily[]> {
  return fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => familyArb(format, i))));
}

/** Parses text that may be malformed: entries, or the ParseError. Anything else thrown
 * fails the property. */
function outcome(input: string, format: ExpositionFormat): Entry[] | ParseError {
  try {
    return parseExposition(input, format);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
}

describe("properties", () => {
  for (const format of ["text", "openmetrics"] as const) {
    it(`write then parse is the identity on families (${format})`, () => {
      holds(
        fc.property(familiesArb(format), (families) => {
          const written = writeExposition(families, format);
          expect(groupFamilies(parseExposition(written, format))).toEqual(
            families.map((f) => ({ ...f, samples: f.samples.map((s) => ({ ...s, timestamp: s.timestamp })) })),
          );
        }),
        { numRuns: 300 },
      );
    });

    it(`arbitrary text yields entries or a ParseError, never anything else (${format})`, () => {
      holds(
        fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-ascii", maxLength: 200 }), text), (s) => {
          outcome(s, format);
        }),
        { numRuns: 2000 },
      );
    });

    it(`damaged valid pages give the same outcome whole or in chunks (${format})`, () => {
      const damaged = familiesArb(format).chain((families) => {
        const written = writeExposition(families, format);
        return fc.tuple(
          fc.constant(written),
          fc.array(fc.record({ at: fc.nat(), del: fc.nat({ max: 4 }), ins: fc.oneof(tricky, fc.string({ maxLength: 3 })) }), {
            minLength: 1,
            maxLength: 4,
          }),
          fc.array(fc.nat(), { maxLength: 6 }),
        );
      });
      holds(
        fc.property(damaged, ([written, edits, cuts]) => {
          let s = written;
          for (const e of edits) {
            const at = s.length === 0 ? 0 : e.at % (s.length + 1);
            s = s.slice(0, at) + e.ins + s.slice(at + e.del);
          }
          const whole = outcome(s, format);
          const points = [...new Set(cuts.map((c) => c % (s.length + 1)))].sort((a, b) => a - b);
          let chunked: Entry[] | ParseError;
          try {
            const p = new ExpositionParser(format);
            const got: Entry[] = [];
            let from = 0;
            for (const to of [...points, s.length]) {
              got.push(...p.push(s.slice(from, to)));
              from = to;
            }
            got.push(...p.end());
            chunked = got;
          } catch (e) {
            if (!(e instanceof ParseError)) throw e;
            chunked = e;
          }
          if (whole instanceof ParseError) expect((chunked as ParseError).message).toBe(whole.message);
          else expect(chunked).toEqual(whole);
        }),
        { numRuns: 500 },
      );
    });
  }

  it("arbitrary bytes from a stream yield entries or a ParseError", async () => {
    await holdsAsync(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.constantFrom("text", "openmetrics" as const), async (bytes, format) => {
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytes);
            c.close();
          },
        });
        try {
          for await (const e of parseExpositionStream(body, format)) void e;
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
