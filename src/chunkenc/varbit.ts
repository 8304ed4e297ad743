/**
 * Prometheus' "varbit" integers, the variable-width fields of histogram chunks
 * (timestamps' delta-of-delta, schema, span lengths and offsets): a unary prefix of
 * up to eight 1 bits ended by a 0, choosing a payload of 0, 3, 6, 9, 12, 18, 25, 56 or
 * 64 bits. Signed payloads are two's complement, with the range of n bits taken as
 * -(2^(n-1)-1) .. 2^(n-1), as Prometheus' bitRange does.
 *
 * Values are JS numbers and must be safe integers; 56- and 64-bit payloads are split
 * into two words so nothing overflows.
 */

import { type BitReader, ChunkCorruptError } from "./bstream.js";

/** What histogram encoders write to: a bit writer that also knows whether
 * Prometheus' bstream would end with an empty byte (see xor.ts). */
export interface BitSink {
  put(v: number, n: number): void;
}

const PREFIX_BITS = [1, 2, 3, 4, 5, 6, 7, 8, 8];
const PAYLOAD_BITS = [0, 3, 6, 9, 12, 18, 25, 56, 64];
const TWO_32 = 4294967296;

function signedClass(v: number): number {
  if (v === 0) return 0;
  for (let k = 1; k < 8; k++) {
    const half = 2 ** (PAYLOAD_BITS[k]! - 1);
    if (v >= -(half - 1) && v <= half) return k;
  }
  return 8;
}

function unsignedClass(v: number): number {
  if (v === 0) return 0;
  for (let k = 1; k < 8; k++) if (v < 2 ** PAYLOAD_BITS[k]!) return k;
  return 8;
}

function writeClass(w: BitSink, k: number, v: number): void {
  const pb = PREFIX_BITS[k]!;
  // k ones then a zero (eight ones for the two widest classes, no zero).
  const prefix = k === 0 ? 0 : k < 8 ? ((1 << k) - 1) << 1 : 0xff;
  if (k >= 7) {
    w.put(k === 7 ? 0xfe : 0xff, 8);
  } else {
    w.put(prefix, pb);
  }
  const n = PAYLOAD_BITS[k]!;
  if (n === 0) return;
  if (n <= 25) {
    w.put(v & ((1 << n) - 1), n);
    return;
  }
  const hi = Math.floor(v / TWO_32);
  const lo = v - hi * TWO_32;
  w.put(n === 56 ? hi & 0xffffff : hi >>> 0, n - 32);
  w.put(lo >>> 0, 32);
}

export function putVarbitInt(w: BitSink, v: number): void {
  writeClass(w, signedClass(v), v);
}

export function putVarbitUint(w: BitSink, v: number): void {
  writeClass(w, unsignedClass(v), v);
}

function readClass(r: BitReader): number {
  let k = 0;
  while (k < 8 && r.readBit() === 1) k++;
  return k;
}

export function readVarbitInt(r: BitReader): number {
  const k = readClass(r);
  const n = PAYLOAD_BITS[k]!;
  if (n === 0) return 0;
  if (n <= 25) {
    const b = r.readBits(n);
    return b > 2 ** (n - 1) ? b - 2 ** n : b;
  }
  const hi = r.readBits(n - 32);
  const lo = r.readBits(32);
  let v: number;
  if (n === 56) v = (hi > 0x800000 || (hi === 0x800000 && lo > 0) ? hi - 0x1000000 : hi) * TWO_32 + lo;
  else v = (hi | 0) * TWO_32 + lo;
  if (!Number.isSafeInteger(v)) throw new ChunkCorruptError(`varbit integer ${v} exceeds 2^53`);
  return v;
}

export function readVarbitUint(r: BitReader): number {
  const k = readClass(r);
  const n = PAYLOAD_BITS[k]!;
  if (n === 0) return 0;
  if (n <= 25) return r.readBits(n);
  const v = r.readBits(n - 32) * TWO_32 + r.readBits(32);
  if (!Number.isSafeInteger(v)) throw new ChunkCorruptError(`varbit integer ${v} exceeds 2^53`);
  return v;
}
