/**
 * Gorilla XOR chunks, laid out bit for bit like Prometheus' tsdb XOR chunk encoding:
 *
 *   bytes 0-1  number of samples, big-endian uint16
 *   sample 0   timestamp as a zig-zag varint, value as its 64 raw bits
 *   sample 1   timestamp delta as a uvarint, value XOR-encoded
 *   sample n   delta-of-delta of the timestamp in one of five buckets:
 *                '0'                  dod == 0
 *                '10'   + 14 bits     -8191 ..  8192
 *                '110'  + 17 bits    -65535 .. 65536
 *                '1110' + 20 bits   -524287 .. 524288
 *                '1111' + 64 bits     anything else (two's complement)
 *              then the value XOR-encoded:
 *                '0'                          same bits as the previous value
 *                '10' + meaningful bits       XOR fits the previous leading/trailing window
 *                '11' + 5 bits leading zeros (capped at 31) + 6 bits significant-bit
 *                     count (64 written as 0) + the significant bits
 *
 * The stream is zero-padded to a whole byte. Prometheus' bit writer leaves one extra
 * zero byte at the end when the last field it wrote was a whole number of bytes that
 * started on a byte boundary (for example a chunk holding a single sample); this
 * encoder reproduces that, so its output is byte-identical to Prometheus'.
 *
 * Timestamps are integer milliseconds held in JS numbers (safe integers); 64-bit
 * fields are handled as two uint32 halves.
 */

import { BitWriter, writeUvarint, writeVarint } from "./bstream.js";
import { XorIterator } from "./iterator.js";
import { hiBits, loBits, splitFloat } from "./floatbits.js";

/** The 2-byte header caps a chunk's sample count. */
export const MAX_SAMPLES_PER_CHUNK = 0xffff;

const TWO_32 = 4294967296;

export class OutOfOrderSampleError extends RangeError {
  override name = "OutOfOrderSampleError";
}

/**
 * A chunk being built (the "appender"). Appends must have strictly increasing
 * timestamps: XOR chunks only encode forward time, and Prometheus' head never appends
 * a duplicate or older timestamp to a chunk either (out-of-order data goes elsewhere).
 */
export class XorChunk {
  private w: BitWriter;
  private num = 0;
  private firstT = 0;
  private t = 0;
  private tDelta = 0;
  private vhi = 0;
  private vlo = 0;
  private leading = 0xff;
  private trailing = 0;
  /** Whether Prometheus' writer would end this stream with an empty byte. */
  private padByte = false;

  constructor() {
    // 120 samples of typical data need ~150-300 bytes.
    this.w = new BitWriter(2, 256);
  }

  /**
   * Reopens an existing chunk (for example a head chunk recovered from storage) so that
   * more samples can be appended. The bytes are decoded once to recover the encoder
   * state and copied; the caller's array is not modified. Appending to the reopened
   * chunk produces exactly the bytes a single pass would have produced.
   */
  static open(bytes: Uint8Array): XorChunk {
    const st = new XorIterator(bytes).endState();
    const c = new XorChunk();
    c.w = BitWriter.continueFrom(bytes, st.bitPos);
    c.num = st.num;
    c.firstT = st.firstT;
    c.t = st.t;
    c.tDelta = st.tDelta;
    c.vhi = st.vhi;
    c.vlo = st.vlo;
    c.leading = st.leading;
    c.trailing = st.trailing;
    c.padByte = st.num > 0 && st.lastFieldBits % 8 === 0 && st.bitPos % 8 === 0;
    return c;
  }

  numSamples(): number {
    return this.num;
  }

  /** Timestamp of the first sample, NaN when empty. */
  minTime(): number {
    return this.num === 0 ? NaN : this.firstT;
  }

  /** Timestamp of the last sample, NaN when empty. */
  maxTime(): number {
    return this.num === 0 ? NaN : this.t;
  }

  /** Encoded size in bytes so far (header included). */
  size(): number {
    return ((this.w.bitLength() + 7) >>> 3) + (this.padByte ? 1 : 0);
  }

  /**
   * Appends a sample. Throws RangeError if `t` is not a safe integer, if it is not
   * greater than the last timestamp (OutOfOrderSampleError), or if the chunk is full.
   */
  append(t: number, v: number): void {
    const num = this.num;
    if (num >= MAX_SAMPLES_PER_CHUNK) throw new RangeError(`chunk full (${MAX_SAMPLES_PER_CHUNK} samples)`);
    if (!isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not a safe integer`);
    splitFloat(v);
    const hi = hiBits();
    const lo = loBits();
    const w = this.w;
    if (num === 0) {
      writeVarint(w, t);
      w.writeBits(hi, 32);
      w.writeBits(lo, 32);
      this.firstT = t;
      this.padByte = true;
    } else {
      if (t <= this.t) {
        throw new OutOfOrderSampleError(`timestamp ${t} is not after the chunk's last timestamp ${this.t}`);
      }
      const delta = t - this.t;
      if (!isSafeInteger(delta)) throw new RangeError(`timestamp delta ${delta} exceeds 2^53`);
      if (num === 1) {
        writeUvarint(w, delta);
      } else {
        const dod = delta - this.tDelta;
        if (dod === 0) {
          w.writeBits(0, 1);
        } else if (dod >= -8191 && dod <= 8192) {
          w.writeBits(0x8000 | (dod & 0x3fff), 16);
        } else if (dod >= -65535 && dod <= 65536) {
          w.writeBits(0xc0000 | (dod & 0x1ffff), 20);
        } else if (dod >= -524287 && dod <= 524288) {
          w.writeBits(0xe00000 | (dod & 0xfffff), 24);
        } else {
          const dhi = Math.floor(dod / TWO_32);
          w.writeBits(0xf, 4);
          w.writeBits(dhi >>> 0, 32);
          w.writeBits((dod - dhi * TWO_32) >>> 0, 32);
        }
      }
      this.tDelta = delta;
      const bits = this.writeValue(hi, lo);
      this.padByte = (bits & 7) === 0 && (w.bitLength() & 7) === 0;
    }
    this.t = t;
    this.vhi = hi;
    this.vlo = lo;
    this.num = num + 1;
  }

  /** Writes the XOR of the value with the previous one; returns the width of the last
   * field written (1 for "unchanged", else the significant bits). */
  private writeValue(hi: number, lo: number): number {
    const w = this.w;
    const dh = hi ^ this.vhi;
    const dl = lo ^ this.vlo;
    if ((dh | dl) === 0) {
      w.writeBits(0, 1);
      return 1;
    }
    let lead = dh !== 0 ? Math.clz32(dh) : 32 + Math.clz32(dl);
    if (lead > 31) lead = 31;
    const trail = dl !== 0 ? 31 - Math.clz32(dl & -dl) : 63 - Math.clz32(dh & -dh);
    let tr: number;
    let sig: number;
    if (this.leading !== 0xff && lead >= this.leading && trail >= this.trailing) {
      tr = this.trailing;
      sig = 64 - this.leading - tr;
      if (sig <= 30) {
        // Control bits and payload in one write.
        w.writeBits((2 << sig) | shiftedLow(dh, dl, tr), sig + 2);
        return sig;
      }
      w.writeBits(2, 2);
    } else {
      this.leading = lead;
      this.trailing = trail;
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

  /**
   * The encoded chunk. The view aliases the chunk's buffer and is valid until the next
   * append; `.slice()` it to keep it.
   */
  bytes(): Uint8Array {
    const b = this.w.bytes(this.padByte ? 1 : 0);
    b[0] = this.num >>> 8;
    b[1] = this.num & 0xff;
    return b;
  }

  /** An iterator over the samples appended so far. */
  iterator(): XorIterator {
    return new XorIterator(this.bytes());
  }
}

/** Number.isSafeInteger as plain comparisons: the builtin is a call on every append
 * where the engine does not inline it. NaN fails every comparison. */
function isSafeInteger(x: number): boolean {
  return x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x;
}

/** Low 32 bits of the 64-bit (dh:dl) >>> tr, for results known to fit 32 bits. */
function shiftedLow(dh: number, dl: number, tr: number): number {
  if (tr === 0) return dl >>> 0;
  if (tr >= 32) return dh >>> (tr - 32);
  return ((dl >>> tr) | (dh << (32 - tr))) >>> 0;
}
