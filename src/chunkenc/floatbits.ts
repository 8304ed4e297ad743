/**
 * float64 <-> (hi, lo) uint32 pairs through one shared scratch buffer. Going through a
 * typed array keeps NaN payloads (the stale marker 0x7ff0000000000002 included) intact;
 * note that V8 rewrites signalling NaNs stored into plain JS arrays of numbers, so code
 * that must keep stale markers bit-exact keeps values in objects or Float64Arrays.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** True on little-endian hosts (every Workers and Node target in practice); the
 * indexes below adapt either way. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high (sign/exponent) word of a float64 in a Uint32Array view. */
export const HI = LITTLE_ENDIAN ? 1 : 0;
/** Index of the low word of a float64 in a Uint32Array view. */
export const LO = LITTLE_ENDIAN ? 0 : 1;

/** Stores `v` in the scratch buffer; read the halves with `hiBits()` / `loBits()`. */
export function splitFloat(v: number): void {
  f64[0] = v;
}

export function hiBits(): number {
  return u32[HI]!;
}

export function loBits(): number {
  return u32[LO]!;
}

export function floatFromBits(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

/** Bit-exact equality of two float64s (distinguishes -0 from 0 and NaN payloads). */
export function sameFloatBits(a: number, b: number): boolean {
  f64[0] = a;
  const ah = u32[HI]!;
  const al = u32[LO]!;
  f64[0] = b;
  return ah === u32[HI]! && al === u32[LO]!;
}
