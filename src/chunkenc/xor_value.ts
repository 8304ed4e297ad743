/**
 * One float field as Gorilla XOR chunks encode it, read side: the previous value's
 * bits and the leading/trailing zero window, and the read of one XOR-encoded field
 * (layout in xor.ts). XOR chunk values and every float field of a native histogram
 * chunk (sum, counts, buckets) share it.
 */

import { ChunkCorruptError, peek32 } from "./bstream.js";

export class XorValue {
  /** The value's bits as int32 halves (store them in a Uint32Array or pass them to
   * floatFromBits; `>>> 0` them to compare as unsigned). */
  hi = 0;
  lo = 0;
  /** Leading zeros of the window; 0xff while none is open, where reusing the window
   * is an error. A reader that treats a window before any as 64 bits wide, as
   * Prometheus' does, sets lead and trail to 0. */
  lead = 0xff;
  trail = 0;
  /** Width of the last field read: 64 for a raw value, 1 for "unchanged", else its
   * significant bits (XorState.lastFieldBits). */
  bits = 0;

  /** Sets the value from its raw 64 bits at bit `pos` (a chunk's first sample) and
   * returns the position after them. */
  readRaw(buf: Uint8Array, pos: number): number {
    this.hi = peek32(buf, pos);
    this.lo = peek32(buf, pos + 32);
    this.bits = 64;
    return pos + 64;
  }

  /** Reads one XOR-encoded field at bit `pos` of `buf` into the value and returns the
   * position after it. Reading past the end yields zero bits: the caller checks the
   * position against the length. Small enough for V8 to inline into decode loops. */
  read(buf: Uint8Array, pos: number): number {
    const w = peek32(buf, pos);
    if (w >= 0) {
      this.bits = 1;
      return pos + 1;
    }
    let sig: number;
    let tr: number;
    if ((w & 0x40000000) === 0) {
      pos += 2;
      tr = this.trail;
      sig = 64 - this.lead - tr;
      if (sig <= 0) throw new ChunkCorruptError("XOR window reused before one was set");
    } else {
      const lead = (w >>> 25) & 31;
      sig = (w >>> 19) & 63;
      if (sig === 0) sig = 64;
      tr = 64 - lead - sig;
      if (tr < 0) throw new ChunkCorruptError(`XOR window of ${lead}+${sig} bits exceeds 64`);
      pos += 13;
      this.lead = lead;
      this.trail = tr;
    }
    const p = peek32(buf, pos);
    let hi: number;
    let lo: number;
    if (sig > 32) {
      hi = p >>> (64 - sig);
      lo = peek32(buf, pos + sig - 32);
    } else {
      hi = 0;
      lo = p >>> (32 - sig);
    }
    if (tr >= 32) {
      hi = lo << (tr - 32);
      lo = 0;
    } else if (tr > 0) {
      hi = (hi << tr) | (lo >>> (32 - tr));
      lo = lo << tr;
    }
    this.hi ^= hi;
    this.lo ^= lo;
    this.bits = sig;
    return pos + sig;
  }
}
