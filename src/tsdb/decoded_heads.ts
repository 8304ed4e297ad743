import type { MemSeries } from "./mem_series.js";
import type { SampleBuffer } from "../model/sample_buffer.js";

/**
 * Which series keep their head decoded (MemSeries.decodedHeadBuffer), least recently read
 * first out: a decoded head costs 16 bytes a sample against the chunk's one or two,
 * so a shard keeps at most `limit` of them (about 2 KiB each when full) and the
 * heads it reads most stay decoded.
 *
 * A rule group reads every head it selects on every evaluation, so a read only stamps
 * the series (MemSeries.headReadAt); moving it to the back of an ordered set on every
 * read was most of a head read's time. The order is that of decoding, and eviction
 * gives a head read since it was queued a second chance at the back (the clock
 * algorithm): the head dropped is one not read for the longest while, close to LRU.
 */
export class DecodedHeads {
  /** Series with a decoded head, oldest queued first, with the stamp when queued. */
  private readonly order = new Map<MemSeries, number>();
  private clock = 0;

  constructor(private readonly limit: number) {}

  /** s's head samples, kept decoded from now on while the budget allows. */
  read(s: MemSeries): { ts: Float64Array; vs: Float64Array } | null {
    const b = this.buffer(s);
    return b === null ? null : { ts: b.ts.subarray(0, b.n), vs: b.vs.subarray(0, b.n) };
  }

  /** As read, the decoded samples being buffer.ts/vs[0, buffer.n): valid until the
   * head next changes. */
  buffer(s: MemSeries): SampleBuffer | null {
    const had = s.hasDecodedHead();
    const d = s.decodedHeadBuffer();
    if (d === null) return null;
    s.headReadAt = ++this.clock;
    if (!had) {
      this.order.set(s, this.clock);
      if (this.order.size > this.limit) this.evict();
    }
    return d;
  }

  private evict(): void {
    for (;;) {
      const [oldest, queued] = this.order.entries().next().value!;
      this.order.delete(oldest);
      // Read since it was queued: it goes to the back instead. Every head is
      // requeued at most once per eviction, so this ends.
      if (oldest.hasDecodedHead() && oldest.headReadAt > queued) {
        this.order.set(oldest, this.clock);
        continue;
      }
      oldest.dropDecodedHead();
      return;
    }
  }

  /** A series leaving the shard. */
  forget(s: MemSeries): void {
    if (this.order.delete(s)) s.dropDecodedHead();
  }

  /** Forgets every decoded head (memory rebuilt from disk, series deleted). */
  clear(): void {
    for (const s of this.order.keys()) s.dropDecodedHead();
    this.order.clear();
  }
}
