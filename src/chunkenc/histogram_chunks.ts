import type { FloatHistogram } from "../model/histogram.js";
import { FloatHistogramChunk, FloatHistogramIterator } from "./float_histogram_chunk.js";
import { HistogramChunk, HistogramIterator, hasIntegerCounts } from "./histogram_chunk.js";
import { ChunkEncoding, CounterResetHeader, type HistogramChunkBase, type HistogramEncoding, type HistogramIteratorBase, chunkHeader, decodeHistogramsOf } from "./histogram_chunk_base.js";

export type { HistogramEncoding } from "./histogram_chunk_base.js";

/**
 * The two native histogram chunk encodings by their encoding number, for code that
 * stores and reads either: integer histograms (from scrapes and remote write) in
 * integer chunks, float histograms (and integer ones whose counts do not fit) in
 * float chunks.
 */

export function isHistogramEncoding(enc: number | undefined): enc is HistogramEncoding {
  return enc === ChunkEncoding.Histogram || enc === ChunkEncoding.FloatHistogram;
}

/** The encoding that stores h. */
export function encodingFor(h: FloatHistogram): HistogramEncoding {
  return h.integer && hasIntegerCounts(h) ? ChunkEncoding.Histogram : ChunkEncoding.FloatHistogram;
}

export function newHistogramChunk(enc: HistogramEncoding, header = CounterResetHeader.Unknown): HistogramChunkBase {
  return enc === ChunkEncoding.Histogram ? new HistogramChunk(header) : new FloatHistogramChunk(header);
}

export function histogramIterator(enc: HistogramEncoding, bytes: Uint8Array): HistogramIteratorBase {
  return enc === ChunkEncoding.Histogram ? new HistogramIterator(bytes) : new FloatHistogramIterator(bytes);
}

/** Every histogram of a chunk, with the hints storage reads back. */
export function decodeHistograms(enc: HistogramEncoding, bytes: Uint8Array): { ts: Float64Array; hs: FloatHistogram[] } {
  return decodeHistogramsOf(histogramIterator(enc, bytes));
}

/** The chunk without its histograms in [mint, maxt] (null when none is left), and how
 * many it dropped. */
export function dropHistograms(enc: HistogramEncoding, bytes: Uint8Array, mint: number, maxt: number): { chunk: HistogramChunkBase | null; removed: number } {
  const it = histogramIterator(enc, bytes);
  const kept = newHistogramChunk(enc, chunkHeader(bytes));
  let removed = 0;
  while (it.next()) {
    if (it.t >= mint && it.t <= maxt) removed++;
    else kept.appendEncoded(it.t, it.rawHistogram());
  }
  return { chunk: kept.numSamples() > 0 ? kept : null, removed };
}
