import { CounterResetHint, FloatHistogram } from "../model/histogram.js";
import { CounterResetHeader, type HistogramChunkBase, isStaleHistogram } from "./histogram_chunk_base.js";
import { type HistogramEncoding, encodingFor, histogramIterator, newHistogramChunk } from "./histogram_chunks.js";

/**
 * A series' open native histogram chunk and Prometheus' head rules for cutting it:
 * a histogram continues the chunk unless it cannot (counter reset, layout change,
 * gauge/counter switch, see FloatHistogramChunk.append), or the head's size rule
 * cuts it: once a chunk reaches a quarter of 1 KiB, an end time is predicted that
 * spreads the rest of its 2h range evenly over chunks of about 1 KiB, and the chunk is
 * cut there (or at 2 KiB), never below 10 samples except at the range's end. What a query reads
 * back depends on these cuts: the first histogram of a counter chunk reads back with
 * an unknown counter reset hint, later ones with "not reset", gauge chunks as gauges.
 * A histogram of the other encoding (integer after float or back) cuts the chunk too,
 * with an unknown counter reset header; a stale marker goes in the open chunk.
 * Both the SeriesStore head and the in-memory storage use this, so they agree.
 */

/** Prometheus' default block/chunk range: head chunks never cross a 2h boundary. */
const CHUNK_RANGE_MS = 2 * 3600_000;
/** Prometheus' TargetBytesPerHistogramChunk and MinSamplesPerHistogramChunk. */
const TARGET_BYTES = 1024;
const MIN_SAMPLES = 10;
const CHUNK_MAX_SAMPLES = 0xfff0;

/** End of the chunk range holding t (Go's integer division, as Prometheus). */
function rangeEnd(t: number): number {
  return Math.trunc(t / CHUNK_RANGE_MS) * CHUNK_RANGE_MS + CHUNK_RANGE_MS;
}

/** Prometheus' computeChunkEndTime: assuming samples keep arriving at the rate so
 * far, the end that makes the remaining chunks before maxT equally sized. */
function chunkEndTime(start: number, cur: number, maxT: number, ratioToFull: number): number {
  const n = (maxT - start) / ((cur - start + 1) * ratioToFull);
  if (n <= 1) return maxT;
  return Math.trunc(start + (maxT - start) / Math.floor(n));
}

export class HistogramChunkState {
  chunk: HistogramChunkBase | null = null;
  minT = 0;
  /** When the open chunk is cut at the latest, and whether that was predicted yet. */
  private nextAt = 0;
  private endComputed = false;

  /** A float sample was appended: the next histogram starts a new chunk. Returns the
   * chunk that was open. */
  float(): HistogramChunkBase | null {
    const c = this.chunk;
    this.chunk = null;
    return c;
  }

  /** Reopens an encoded chunk as the open one, with the end time appending its
   * samples predicted, so that a restart cuts where an uninterrupted head would. */
  open(bytes: Uint8Array, enc: HistogramEncoding): void {
    const it = histogramIterator(enc, bytes);
    const c = newHistogramChunk(enc, it.header);
    while (it.next()) {
      if (c.numSamples() === 0) this.started(it.t);
      else this.predictEnd(c);
      c.appendEncoded(it.t, it.rawHistogram());
    }
    this.chunk = c;
  }

  private started(t: number): void {
    this.minT = t;
    this.nextAt = rangeEnd(t);
    this.endComputed = false;
  }

  /** Once the chunk reaches a quarter of its target size, predicts its end. */
  private predictEnd(cur: HistogramChunkBase): void {
    const bytes = cur.size();
    if (!this.endComputed && bytes >= TARGET_BYTES / 4) {
      this.nextAt = chunkEndTime(this.minT, cur.maxTime(), this.nextAt, TARGET_BYTES / bytes);
      this.endComputed = true;
    }
  }

  /** Appends h at t (after the last histogram); returns the chunk this closed, if
   * any. */
  append(t: number, h: FloatHistogram): HistogramChunkBase | null {
    const cur = this.chunk;
    const stale = isStaleHistogram(h);
    const enc = stale && cur !== null ? cur.encoding : encodingFor(h);
    let header = CounterResetHeader.Unknown;
    let sealed: HistogramChunkBase | null = null;
    if (cur !== null && cur.encoding !== enc) {
      sealed = cur;
    } else if (cur !== null) {
      const num = cur.numSamples();
      const bytes = cur.size();
      const nextRangeStart = this.endComputed ? rangeEnd(this.minT) : this.nextAt;
      this.predictEnd(cur);
      const cut = (t >= this.nextAt || bytes >= TARGET_BYTES * 2) && (num >= MIN_SAMPLES || t >= nextRangeStart);
      if (cut || num >= CHUNK_MAX_SAMPLES) {
        // A chunk cut for size continues the previous one: its header says whether
        // this histogram is a counter reset.
        if (!cur.isGauge() && h.counterResetHint !== CounterResetHint.Gauge && !stale) {
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
    this.chunk = newHistogramChunk(enc, header);
    this.chunk.append(t, h);
    this.started(t);
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
