import { iterateDelimitedFamilies } from "./dto_protobuf.js";
import { dtoFamilyEntries, type HistogramOptions } from "./dto_entries.js";
import type { Entry } from "./entry.js";
import { chunks, type ExpositionSource } from "./stream.js";

/** Families per yielded batch: enough to amortise the generator's promise round
 * trip, few enough to keep a batch small. */
const FAMILIES_PER_BATCH = 64;

/**
 * Parses a delimited protobuf exposition (a stream of client_model MetricFamily
 * messages) into the entries the scrape loop appends, in batches like
 * parseExpositionBatches. The body is read whole first: a message can only be
 * decoded once all of it has arrived, and the scrape's body_size_limit bounds it.
 * Malformed input throws ProtobufError.
 */
export async function* parseProtobufBatches(source: ExpositionSource, opts: HistogramOptions): AsyncGenerator<Entry[], void, undefined> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const enc = new TextEncoder();
  for await (const c of chunks(source)) {
    const b = typeof c === "string" ? enc.encode(c) : c;
    parts.push(b);
    size += b.length;
  }
  const body = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    body.set(p, off);
    off += p.length;
  }
  let batch: Entry[] = [];
  let families = 0;
  for (const f of iterateDelimitedFamilies(body)) {
    for (const e of dtoFamilyEntries(f, opts)) batch.push(e);
    if (++families % FAMILIES_PER_BATCH === 0) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
