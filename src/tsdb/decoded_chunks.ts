import { decodeXor } from "../chunkenc/iterator.js";
import type { SampleArrays } from "./chunk_reader.js";

/**
 * Sealed in-order XOR chunks a shard keeps decoded for the reads it evaluates itself
 * (pushed-down rates, subqueries), least recently read first out. Dashboards and rule
 * groups read the same recent chunks at every refresh; decoding them again is most of
 * such a read. A chunk is known by its bytes' buffer and place: sealed bytes never
 * change, and a rewritten block or chunk gets new buffers, so an entry never goes
 * stale. Entries hold no reference to the buffer, which a block cache may drop.
 */
export class DecodedChunks {
  private readonly byBuffer = new WeakMap<ArrayBufferLike, Map<number, SampleArrays>>();
  /** Least recently used first: each entry's place in its buffer's map. */
  private readonly order = new Map<SampleArrays, { map: Map<number, SampleArrays>; place: number }>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** The samples of a sealed chunk's bytes; the arrays are shared and never changed. */
  decode(data: Uint8Array): SampleArrays {
    let map = this.byBuffer.get(data.buffer);
    // A number rather than a string made per lookup: a block row is at most a few MiB
    // (SQLite's row limit) and a chunk far below 2^24 bytes, so this is exact.
    const place = data.byteOffset * 2 ** 24 + data.byteLength;
    const hit = map?.get(place);
    if (hit !== undefined) {
      const e = this.order.get(hit)!;
      this.order.delete(hit);
      this.order.set(hit, e);
      return hit;
    }
    const d = decodeXor(data);
    if (map === undefined) this.byBuffer.set(data.buffer, (map = new Map()));
    map.set(place, d);
    this.order.set(d, { map, place });
    this.bytes += d.ts.byteLength + d.vs.byteLength;
    for (const [old, e] of this.order) {
      if (this.bytes <= this.budgetBytes) break;
      this.order.delete(old);
      e.map.delete(e.place);
      this.bytes -= old.ts.byteLength + old.vs.byteLength;
    }
    return d;
  }
}
