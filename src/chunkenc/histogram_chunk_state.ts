import { CounterResetHint, FloatHistogram } from "../model/histogram.js";
import { CounterResetHeader, FloatHistogramChunk, isStaleHistogram } from "./float_histogram_chunk.js";

/**
 * A series' open native histogram chunk and Prometheus' head rules for cutting it:
 * a histogram continues the chunk unless it cannot (counter reset, layout change,
 * gauge/counter switch, see FloatHistogramChunk.append), the chunk is full (about
 * 1 KiB once it has a few samples) or it starts the next 2h range. What a query reads
 * back depends on these cuts: the first histogram of a counter chunk reads back with
 * an unknown counter reset hint, later ones with "not reset", gauge chunks as gauges.
 * Both the SeriesStore head and the in-memory storage use this, so they agree.
 */

/** Prometheus' default block/chunk range: head chunks never cross a 2h boundary. */
const CHUNK_RANGE_MS = 2 * 3600_000;
/** Prometheus cuts histogram chunks near 1 KiB rather than at 120 samples. */
const CHUNK_BYTES = 1024;
const CHUNK_MIN_SAMPLES = 10;
const CHUNK_MAX_SAMPLES = 0xfff0;

export class HistogramChunkState {
  chunk: FloatHistogramChunk | null = null;
  minT = 0;

  /** A float sample was appended: the next histogram starts a new chunk. Returns the
   * chunk that was open. */
  float(): FloatHistogramChunk | null {
    const c = this.chunk;
    this.chunk = null;
    return c;
  }

  /** Reopens an encoded chunk as the open one. */
  open(bytes: Uint8Array): void {
    this.chunk = FloatHistogramChunk.open(bytes);
    this.minT = this.chunk.minTime();
  }

  /** Appends h at t (after the last histogram); returns the chunk this closed, if
   * any. */
  append(t: number, h: FloatHistogram): FloatHistogramChunk | null {
    const cur = this.chunk;
    let header = CounterResetHeader.Unknown;
    let sealed: FloatHistogramChunk | null = null;
    if (cur !== null) {
      const full = cur.numSamples() >= CHUNK_MAX_SAMPLES || (cur.size() >= CHUNK_BYTES && cur.numSamples() >= CHUNK_MIN_SAMPLES);
      if (full || Math.floor(this.minT / CHUNK_RANGE_MS) !== Math.floor(t / CHUNK_RANGE_MS)) {
        // A chunk cut for size continues the previous one: its header says whether
        // this histogram is a counter reset.
        if (!cur.isGauge() && h.counterResetHint !== CounterResetHint.Gauge && !isStaleHistogram(h)) {
          header = cur.appendableCheck(h) === "counter_reset" ? CounterResetHeader.CounterReset : CounterResetHeader.NotCounterReset;
        }
        sealed = cur;
      } else {
        const why = cur.append(t, h);
        if (why === null) return null;
        sealed = cur;
        if (why === "counter_reset") header = CounterResetHeader.CounterReset;
      }
    }
    this.chunk = new FloatHistogramChunk(header);
    this.chunk.append(t, h);
    this.minT = t;
    return sealed;
  }

  /** The histogram just appended (h), as a query reads it back from the chunk. */
  readBack(h: FloatHistogram): FloatHistogram {
    if (isStaleHistogram(h)) {
      const out = new FloatHistogram();
      out.sum = h.sum;
      return out;
    }
    const c = this.chunk!;
    const out = h.copy();
    out.counterResetHint = c.isGauge() ? CounterResetHint.Gauge : c.numSamples() > 1 ? CounterResetHint.NotCounterReset : CounterResetHint.Unknown;
    return out;
  }
}
