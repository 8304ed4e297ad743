/**
 * Decoding of XOR chunks: a pull iterator (next/at/seek) and a bulk decoder that fills
 * Float64Arrays. Both read the layout described in xor.ts.
 */

import type { Sample } from "../model/sample.js";
import { BitReader, ChunkCorruptError, peek32, readUvarint, readVarint } from "./bstream.js";
import { HI, LO, floatFromBits } from "./floatbits.js";
import { XorValue } from "./xor_value.js";

const TWO_32 = 4294967296;

/** Number of samples recorded in a chunk's 2-byte header. */
export function xorNumSamples(bytes: Uint8Array): number {
  if (bytes.length < 2) throw new ChunkCorruptError(`chunk of ${bytes.length} bytes has no header`);
  return (bytes[0]! << 8) | bytes[1]!;
}

/** Encoder state at the end of a chunk, what an appender needs to continue it. */
export interface XorState {
  num: number;
  firstT: number;
  t: number;
  tDelta: number;
  vhi: number;
  vlo: number;
  /** 0xff until the first value with a changed bit opened a window. */
  leading: number;
  trailing: number;
  /** Bit position just after the last sample (including the 16 header bits). */
  bitPos: number;
  /** Width in bits of the last field of the last sample (64 for a lone first value,
   * 1 for an unchanged value, else the XOR's significant bits); decides Prometheus'
   * trailing padding byte. */
  lastFieldBits: number;
}

/**
 * Iterates a chunk's samples in order. Corrupt or truncated input makes next() throw
 * ChunkCorruptError. The iterator reads the sample count when it is created, so
 * appending to the chunk afterwards does not disturb it.
 */
export class XorIterator {
  private readonly r: BitReader;
  private readonly total: number;
  private numRead = 0;
  private _t = 0;
  private _v = 0;
  private tDelta = 0;
  private readonly val = new XorValue();

  constructor(bytes: Uint8Array) {
    this.total = xorNumSamples(bytes);
    this.r = new BitReader(bytes, 16);
  }

  /** Timestamp of the current sample (valid after next() or seek() returned true). */
  get t(): number {
    return this._t;
  }

  /** Value of the current sample. */
  get v(): number {
    return this._v;
  }

  /** The current sample as a fresh object. */
  at(): Sample {
    return { t: this._t, v: this._v };
  }

  /** Number of samples in the chunk. */
  get length(): number {
    return this.total;
  }

  /** Advances to the next sample; false when the chunk is exhausted. */
  next(): boolean {
    if (this.numRead >= this.total) return false;
    const r = this.r;
    const val = this.val;
    if (this.numRead === 0) {
      this._t = readVarint(r);
      r.pos = val.readRaw(r.buf, r.pos);
      this._v = floatFromBits(val.hi, val.lo);
    } else {
      if (this.numRead === 1) {
        this.tDelta = readUvarint(r);
      } else {
        this.tDelta += this.readDod();
      }
      this._t += this.tDelta;
      const at = r.pos;
      r.pos = val.read(r.buf, at);
      // An unchanged value is one bit: skip rebuilding the float.
      if (r.pos !== at + 1) this._v = floatFromBits(val.hi, val.lo);
    }
    if (r.overrun()) throw new ChunkCorruptError(`chunk truncated at sample ${this.numRead}`);
    this.numRead++;
    return true;
  }

  /**
   * Advances to the first sample with timestamp >= t and returns true, or returns
   * false when there is none. Never moves backwards: if the current sample already
   * satisfies the condition the iterator stays where it is.
   */
  seek(t: number): boolean {
    if (this.numRead > 0 && this._t >= t) return true;
    while (this.next()) {
      if (this._t >= t) return true;
    }
    return false;
  }

  private readDod(): number {
    const r = this.r;
    const w = peek32(r.buf, r.pos);
    if (w >= 0) {
      // '0': same delta as before.
      r.pos += 1;
      return 0;
    }
    if ((w & 0x40000000) === 0) {
      // '10' + 14 bits.
      r.pos += 16;
      const b = (w >>> 16) & 0x3fff;
      return b > 0x2000 ? b - 0x4000 : b;
    }
    if ((w & 0x20000000) === 0) {
      // '110' + 17 bits.
      r.pos += 20;
      const b = (w >>> 12) & 0x1ffff;
      return b > 0x10000 ? b - 0x20000 : b;
    }
    if ((w & 0x10000000) === 0) {
      // '1110' + 20 bits.
      r.pos += 24;
      const b = (w >>> 8) & 0xfffff;
      return b > 0x80000 ? b - 0x100000 : b;
    }
    // '1111' + 64 bits, two's complement.
    r.pos += 4;
    const hi = r.readBits(32) | 0;
    const lo = r.readBits(32);
    return dod64(hi, lo);
  }

  /** @internal Decodes a fresh iterator's whole chunk and returns the encoder state at
   * its end. */
  endState(): XorState {
    if (this.numRead !== 0) throw new Error("endState() needs a fresh iterator");
    let firstT = 0;
    if (this.next()) {
      firstT = this._t;
      while (this.next());
    }
    return {
      num: this.total,
      firstT,
      t: this._t,
      tDelta: this.tDelta,
      vhi: this.val.hi >>> 0,
      vlo: this.val.lo >>> 0,
      leading: this.val.lead,
      trailing: this.val.trail,
      bitPos: this.r.pos,
      lastFieldBits: this.val.bits,
    };
  }
}

function dod64(hi: number, lo: number): number {
  // hi is signed; the result must be a safe integer (|dod| < 2^53).
  if (hi > 0x1fffff || hi < -0x200000) {
    throw new ChunkCorruptError("timestamp delta-of-delta exceeds 2^53");
  }
  return hi * TWO_32 + lo;
}

/** Result of a bulk decode. */
export interface DecodedChunk {
  ts: Float64Array;
  vs: Float64Array;
}

/** Decodes a whole chunk into new arrays of timestamps and values. */
export function decodeXor(bytes: Uint8Array): DecodedChunk {
  const n = xorNumSamples(bytes);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  decodeXorInto(bytes, ts, vs, 0);
  return { ts, vs };
}

/**
 * Decodes a whole chunk into `ts` / `vs` starting at index `offset` (so that several
 * chunks can fill one pair of arrays) and returns the number of samples written.
 * Values are stored by their bits, so NaN payloads survive.
 */
export function decodeXorInto(bytes: Uint8Array, ts: Float64Array, vs: Float64Array, offset = 0): number {
  const n = xorNumSamples(bytes);
  if (n === 0) return 0;
  if (offset < 0 || offset + n > ts.length || offset + n > vs.length) {
    throw new RangeError(`decode of ${n} samples at ${offset} does not fit arrays of ${ts.length}/${vs.length}`);
  }
  const vbits = new Uint32Array(vs.buffer, vs.byteOffset, vs.length * 2);
  const r = new BitReader(bytes, 16);
  const bitLen = r.bitLen;
  const val = new XorValue();
  let t = readVarint(r);
  r.pos = val.readRaw(bytes, r.pos);
  ts[offset] = t;
  let k = offset * 2;
  vbits[k + HI] = val.hi;
  vbits[k + LO] = val.lo;
  if (r.pos > bitLen) throw new ChunkCorruptError("chunk truncated at sample 0");
  if (n === 1) return 1;

  let tDelta = readUvarint(r);
  let pos = r.pos;
  for (let i = 1; i < n; i++) {
    if (i > 1) {
      const w = peek32(bytes, pos);
      if (w >= 0) {
        pos += 1;
      } else if ((w & 0x40000000) === 0) {
        pos += 16;
        const b = (w >>> 16) & 0x3fff;
        tDelta += b > 0x2000 ? b - 0x4000 : b;
      } else if ((w & 0x20000000) === 0) {
        pos += 20;
        const b = (w >>> 12) & 0x1ffff;
        tDelta += b > 0x10000 ? b - 0x20000 : b;
      } else if ((w & 0x10000000) === 0) {
        pos += 24;
        const b = (w >>> 8) & 0xfffff;
        tDelta += b > 0x80000 ? b - 0x100000 : b;
      } else {
        pos += 4;
        const hi = peek32(bytes, pos);
        const lo = peek32(bytes, pos + 32) >>> 0;
        pos += 64;
        tDelta += dod64(hi, lo);
      }
    }
    t += tDelta;
    ts[offset + i] = t;

    pos = val.read(bytes, pos);
    k = (offset + i) * 2;
    vbits[k + HI] = val.hi;
    vbits[k + LO] = val.lo;
    if (pos > bitLen) throw new ChunkCorruptError(`chunk truncated at sample ${i}`);
  }
  return n;
}
