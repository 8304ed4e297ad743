import { labelsToRecord } from "../../src/model/labels.js";
import {
  ParseError,
  parseExposition,
  type Entry,
  type ExpositionFormat,
  type SampleEntry,
} from "../../src/textparse/index.js";

/** A sample as tests compare it: labels as a record (key order irrelevant). */
export interface PlainSample {
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
  exemplar?: { labels: Record<string, string>; value: number; timestamp?: number };
}

export function plain(e: SampleEntry): PlainSample {
  const out: PlainSample = { labels: labelsToRecord(e.labels), value: e.value };
  if (e.timestamp !== undefined) out.timestamp = e.timestamp;
  if (e.exemplar !== undefined) {
    out.exemplar = { labels: labelsToRecord(e.exemplar.labels), value: e.exemplar.value };
    if (e.exemplar.timestamp !== undefined) out.exemplar.timestamp = e.exemplar.timestamp;
  }
  return out;
}

export function samplesOf(entries: readonly Entry[]): PlainSample[] {
  return entries.filter((e): e is SampleEntry => e.kind === "sample").map(plain);
}

export function parseSamples(text: string, format: ExpositionFormat): PlainSample[] {
  return samplesOf(parseExposition(text, format));
}

/** Parses text that must fail and returns the ParseError. */
export function parseFailure(text: string, format: ExpositionFormat): ParseError {
  try {
    parseExposition(text, format);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}`);
}

/** Joins lines with line feeds, ending with one. */
export function page(...lines: string[]): string {
  return lines.join("\n") + "\n";
}
