/**
 * One float field as Gorilla XOR chunks encode it: the previous value's bits and the
 * leading/trailing zero window, and the write and read of one XOR-encoded field
 * (layout in xor.ts). XOR chunk values and every float field of a native histogram
 * chunk (sum, counts, buckets) share it.
 */

import { type BitWriter, ChunkCorruptError, peek32 } from "./bstream.js";

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

  /** Writes the value hi:lo (uint32 or int32 halves) as its raw 64 bits (a chunk's
   * first sample); returns the width of the field, 64. */
  writeRaw(w: BitWriter, hi: number, lo: number): number {
    w.writeBits(hi >>> 0, 32);
    w.writeBits(lo >>> 0, 32);
    // int32, as read() keeps them: one number representation for readers and writers.
    this.hi = hi | 0;
    this.lo = lo | 0;
    return 64;
  }

  /** Writes hi:lo XORed against the previous value and returns the width of the last
   * field written (1 for "unchanged", else the significant bits), which decides
   * Prometheus' trailing padding byte. */
  write(w: BitWriter, hi: number, lo: number): number {
    const dh = hi ^ this.hi;
    const dl = lo ^ this.lo;
    this.hi = hi | 0;
    this.lo = lo | 0;
    if ((dh | dl) === 0) {
      w.writeBits(0, 1);
      return 1;
    }
    let lead = dh !== 0 ? Math.clz32(dh) : 32 + Math.clz32(dl);
    if (lead > 31) lead = 31;
    const trail = dl !== 0 ? 31 - Math.clz32(dl & -dl) : 63 - Math.clz32(dh & -dh);
    let tr: number;
    let sig: number;
    if (this.lead !== 0xff && lead >= this.lead && trail >= this.trail) {
      tr = this.trail;
      sig = 64 - this.lead - tr;
      if (sig <= 30) {
        // Control bits and payload in one write.
        w.writeBits((2 << sig) | shiftedLow(dh, dl, tr), sig + 2);
        return sig;
      }
      w.writeBits(2, 2);
    } else {
      this.lead = lead;
      this.trail = trail;
      tr = trail;
      sig = 64 - lead - trail;
      w.writeBits(0x1800 | (lead << 6) | (sig & 63), 13);
    }
    if (sig > 32) {
      // (dh:dl) >> tr with more than 32 bits left, so tr < 32.
      const sl = tr === 0 ? dl >>> 0 : ((dl >>> tr) | (dh << (32 - tr))) >>> 0;
      w.writeBits(dh >>> tr, sig - 32);
      w.writeBits(sl, 32);
    } else {
      w.writeBits(shiftedLow(dh, dl, tr), sig);
    }
    return sig;
  }

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

/** Low 32 bits of the 64-bit (dh:dl) >>> tr, for results known to fit 32 bits. */
function shiftedLow(dh: number, dl: number, tr: number): number {
  if (tr === 0) return dl >>> 0;
  if (tr >= 32) return dh >>> (tr - 32);
  return ((dl >>> tr) | (dh << (32 - tr))) >>> 0;
}
