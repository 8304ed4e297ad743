import type { Entry, ExpositionFormat } from "./entry.js";
import type { SeriesLookup } from "./line-parser.js";
import { ExpositionParser } from "./parser.js";

export type ExpositionSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/** Parses a response body as it arrives (e.g. `fetch(...).body`), yielding entries
 * line by line; memory is bounded by the longest line, not by the body. Bytes are
 * decoded as UTF-8 (a byte-order mark is dropped, invalid sequences become U+FFFD).
 * Breaking out of the loop cancels the stream. */
export async function* parseExpositionStream(
  source: ExpositionSource,
  format: ExpositionFormat,
): AsyncGenerator<Entry, void, undefined> {
  for await (const batch of batches(source, format, undefined, 1)) {
    for (const e of batch) yield e;
  }
}

/** Entries a batch collects before it is handed on: a body arrives in pieces of a
 * few KiB (4 KiB from workerd's fetch), and each hand-over costs promise round trips. */
const BATCH_ENTRIES = 1024;

/** Like parseExpositionStream, but yields entries in arrays of at least
 * BATCH_ENTRIES (the last one may be shorter): an async generator pays a promise
 * round trip per yield, which costs more than parsing a line, so hot paths (the
 * scrape loop) should take batches. */
export function parseExpositionBatches(source: ExpositionSource, format: ExpositionFormat, lookup?: SeriesLookup): AsyncGenerator<Entry[], void, undefined> {
  return batches(source, format, lookup, BATCH_ENTRIES);
}

async function* batches(source: ExpositionSource, format: ExpositionFormat, lookup: SeriesLookup | undefined, min: number): AsyncGenerator<Entry[], void, undefined> {
  const parser = new ExpositionParser(format, lookup);
  const decoder = new TextDecoder();
  let batch: Entry[] = [];
  for await (const chunk of chunks(source)) {
    const entries = parser.push(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    if (batch.length === 0) batch = entries;
    else for (const e of entries) batch.push(e);
    if (batch.length >= min) {
      yield batch;
      batch = [];
    }
  }
  for (const e of parser.push(decoder.decode())) batch.push(e);
  for (const e of parser.end()) batch.push(e);
  if (batch.length > 0) yield batch;
}

/** The body's chunks as they arrive; an abandoned read cancels the stream. */
export async function* chunks(source: ExpositionSource): AsyncGenerator<Uint8Array | string, void, undefined> {
  if (!isReadableStream(source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    // Reached when the consumer stops early or parsing failed: the rest of the body
    // is of no use, so tell the producer instead of leaving the connection open.
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function isReadableStream(s: ExpositionSource): s is ReadableStream<Uint8Array> {
  return typeof (s as ReadableStream<Uint8Array>).getReader === "function";
}
