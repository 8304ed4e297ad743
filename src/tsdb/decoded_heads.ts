import type { MemSeries } from "./mem_series.js";

/**
 * Which series keep their head decoded (MemSeries.decodedHead), least recently read
 * first out: a decoded head costs 16 bytes a sample against the chunk's one or two,
 * so a shard keeps at most `limit` of them (about 2 KiB each when full) and the
 * heads it reads most stay decoded.
 */
export class DecodedHeads {
  private readonly order = new Set<MemSeries>();

  constructor(private readonly limit: number) {}

  /** s's head samples, kept decoded from now on while the budget allows. */
  read(s: MemSeries): { ts: Float64Array; vs: Float64Array } | null {
    if (s.hasDecodedHead()) this.order.delete(s);
    const d = s.decodedHead();
    if (d === null) return null;
    this.order.add(s);
    if (this.order.size > this.limit) {
      const oldest = this.order.values().next().value!;
      this.order.delete(oldest);
      oldest.dropDecodedHead();
    }
    return d;
  }

  /** A series leaving the shard. */
  forget(s: MemSeries): void {
    if (this.order.delete(s)) s.dropDecodedHead();
  }

  /** Forgets every decoded head (memory rebuilt from disk, series deleted). */
  clear(): void {
    for (const s of this.order) s.dropDecodedHead();
    this.order.clear();
  }
}
