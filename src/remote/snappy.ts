/**
 * Snappy block format (the framing-less format Prometheus remote write bodies use).
 *
 * A block is the uncompressed length as a little-endian base-128 varint, then elements
 * whose tag byte's two low bits say what follows:
 *
 *   00 literal   length-1 in the upper 6 bits, or 60..63 there meaning the length-1
 *                follows in 1..4 little-endian bytes; then the literal bytes
 *   01 copy      length 4..11 in bits 2-4, an 11-bit offset: bits 5-7 then one byte
 *   10 copy      length 1..64 in the upper 6 bits, 2-byte little-endian offset
 *   11 copy      length 1..64 in the upper 6 bits, 4-byte little-endian offset
 *
 * A copy repeats `length` bytes starting `offset` bytes back in the output, and may
 * overlap the bytes it produces (offset < length repeats a pattern).
 *
 * Decompression validates everything: the declared length against a caller-supplied
 * maximum and against what the input could possibly expand to (before allocating),
 * every offset and length against the output, and that the output is filled exactly.
 */

export class SnappyError extends Error {
  override name = "SnappyError";
}

/** Default cap on the decompressed size of one block. */
export const DEFAULT_MAX_DECODED_LENGTH = 32 * 1024 * 1024;

/** No element produces more than 64 bytes from 3 input bytes (a 2-byte-offset copy). */
const MAX_EXPANSION_NUM = 64;
const MAX_EXPANSION_DEN = 3;

/** Reads the preamble: [declared uncompressed length, bytes the varint used]. */
function readPreamble(src: Uint8Array): [number, number] {
  let len = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= src.length) throw new SnappyError("snappy: truncated length preamble");
    const b = src[i]!;
    len += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (len > 0xffffffff) throw new SnappyError("snappy: declared length exceeds 2^32-1");
      return [len, i + 1];
    }
    mul *= 128;
  }
  throw new SnappyError("snappy: length preamble longer than 5 bytes");
}

/** The uncompressed length a block declares, without decompressing it. */
export function snappyDecodedLength(src: Uint8Array): number {
  return readPreamble(src)[0];
}

/**
 * Decompresses a snappy block. Throws SnappyError on corrupt or truncated input, or
 * when the declared length exceeds `maxLength` (checked before anything is allocated).
 */
export function snappyDecompress(src: Uint8Array, maxLength = DEFAULT_MAX_DECODED_LENGTH): Uint8Array {
  const [len, start] = readPreamble(src);
  if (len > maxLength) {
    throw new SnappyError(`snappy: declared length ${len} exceeds the limit of ${maxLength} bytes`);
  }
  const body = src.length - start;
  if (len * MAX_EXPANSION_DEN > body * MAX_EXPANSION_NUM) {
    throw new SnappyError(`snappy: ${body} bytes cannot expand to the declared ${len} bytes`);
  }
  const out = new Uint8Array(len);
  const n = src.length;
  let p = start;
  let o = 0;
  while (p < n) {
    const tag = src[p++]!;
    let length: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        length = tag >>> 2;
        if (length >= 60) {
          const k = length - 59;
          if (p + k > n) throw new SnappyError("snappy: truncated literal length");
          length = src[p]!;
          if (k > 1) length |= src[p + 1]! << 8;
          if (k > 2) length |= src[p + 2]! << 16;
          if (k > 3) length = (length | (src[p + 3]! << 24)) >>> 0;
          p += k;
        }
        length += 1;
        if (length > n - p) throw new SnappyError("snappy: literal runs past the end of the input");
        if (length > len - o) throw new SnappyError("snappy: literal overflows the declared length");
        if (length < 32) {
          for (let i = 0; i < length; i++) out[o + i] = src[p + i]!;
        } else {
          out.set(src.subarray(p, p + length), o);
        }
        p += length;
        o += length;
        continue;
      }
      case 1:
        if (p >= n) throw new SnappyError("snappy: truncated copy");
        length = 4 + ((tag >>> 2) & 7);
        offset = ((tag & 0xe0) << 3) | src[p]!;
        p += 1;
        break;
      case 2:
        if (p + 2 > n) throw new SnappyError("snappy: truncated copy");
        length = 1 + (tag >>> 2);
        offset = src[p]! | (src[p + 1]! << 8);
        p += 2;
        break;
      default:
        if (p + 4 > n) throw new SnappyError("snappy: truncated copy");
        length = 1 + (tag >>> 2);
        offset = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
        p += 4;
        break;
    }
    if (offset === 0 || offset > o) {
      throw new SnappyError(`snappy: copy offset ${offset} outside the ${o} bytes decoded so far`);
    }
    if (length > len - o) throw new SnappyError("snappy: copy overflows the declared length");
    let from = o - offset;
    if (offset >= length && length > 16) {
      out.copyWithin(o, from, from + length);
      o += length;
    } else {
      // Byte by byte so that overlapping copies repeat the pattern.
      const end = o + length;
      while (o < end) out[o++] = out[from++]!;
    }
  }
  if (o !== len) throw new SnappyError(`snappy: decoded ${o} bytes, the block declares ${len}`);
  return out;
}

/** Worst-case size of a compressed block for `n` input bytes. */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

const BLOCK = 1 << 16;
const MAX_HASH_BITS = 14;
/** Matching stops this far from the end of a block so that 4-byte loads stay inside. */
const MARGIN = 15;

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function emitLiteral(dst: Uint8Array, d: number, src: Uint8Array, start: number, length: number): number {
  const n = length - 1;
  if (n < 60) {
    dst[d++] = n << 2;
  } else if (n < 0x100) {
    dst[d++] = 60 << 2;
    dst[d++] = n;
  } else if (n < 0x10000) {
    dst[d++] = 61 << 2;
    dst[d++] = n;
    dst[d++] = n >>> 8;
  } else if (n < 0x1000000) {
    dst[d++] = 62 << 2;
    dst[d++] = n;
    dst[d++] = n >>> 8;
    dst[d++] = n >>> 16;
  } else {
    dst[d++] = 63 << 2;
    dst[d++] = n;
    dst[d++] = n >>> 8;
    dst[d++] = n >>> 16;
    dst[d++] = n >>> 24;
  }
  if (length < 32) {
    for (let i = 0; i < length; i++) dst[d + i] = src[start + i]!;
  } else {
    dst.set(src.subarray(start, start + length), d);
  }
  return d + length;
}

/** Emits copies for a match of `length` (>= 4) bytes at `offset` (< 65536). */
function emitCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  // Long matches become 64-byte copies; keep at least 4 bytes for the last one so it
  // can use the short form.
  while (length >= 68) {
    dst[d++] = (63 << 2) | 2;
    dst[d++] = offset;
    dst[d++] = offset >>> 8;
    length -= 64;
  }
  if (length > 64) {
    dst[d++] = (59 << 2) | 2;
    dst[d++] = offset;
    dst[d++] = offset >>> 8;
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) {
    dst[d++] = ((length - 1) << 2) | 2;
    dst[d++] = offset;
    dst[d++] = offset >>> 8;
  } else {
    dst[d++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | 1;
    dst[d++] = offset;
  }
  return d;
}

/** Compresses `src` into one snappy block. */
export function snappyCompress(src: Uint8Array): Uint8Array {
  const n = src.length;
  if (n > 0xffffffff) throw new SnappyError("snappy: input longer than 2^32-1 bytes");
  const dst = new Uint8Array(snappyMaxCompressedLength(n));
  let d = 0;
  let v = n;
  while (v >= 0x80) {
    dst[d++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  dst[d++] = v;
  const table = new Uint16Array(1 << MAX_HASH_BITS);
  for (let blockStart = 0; blockStart < n; blockStart += BLOCK) {
    const blockEnd = Math.min(n, blockStart + BLOCK);
    d = compressBlock(src, blockStart, blockEnd, dst, d, table);
  }
  return dst.slice(0, d);
}

function compressBlock(
  src: Uint8Array,
  base: number,
  end: number,
  dst: Uint8Array,
  d: number,
  table: Uint16Array,
): number {
  const size = end - base;
  let nextEmit = base;
  if (size >= MARGIN + 2) {
    let bits = 8;
    while (bits < MAX_HASH_BITS && 1 << bits < size) bits++;
    const shift = 32 - bits;
    table.fill(0, 0, 1 << bits);
    const limit = end - MARGIN;
    let ip = base + 1;
    let nextHash = Math.imul(load32(src, ip), 0x1e35a7bd) >>> shift;
    outer: for (;;) {
      // Look for a 4-byte match, skipping ahead faster the longer nothing matches.
      let skip = 32;
      let next = ip;
      let cand: number;
      for (;;) {
        ip = next;
        const h = nextHash;
        next = ip + (skip++ >>> 5);
        if (next > limit) break outer;
        nextHash = Math.imul(load32(src, next), 0x1e35a7bd) >>> shift;
        cand = base + table[h]!;
        table[h] = ip - base;
        if (load32(src, ip) === load32(src, cand)) break;
      }
      d = emitLiteral(dst, d, src, nextEmit, ip - nextEmit);
      // Emit the match, then keep matching right after it while possible.
      for (;;) {
        let len = 4;
        while (ip + len < end && src[ip + len] === src[cand + len]) len++;
        d = emitCopy(dst, d, ip - cand, len);
        ip += len;
        nextEmit = ip;
        if (ip >= limit) break outer;
        table[Math.imul(load32(src, ip - 1), 0x1e35a7bd) >>> shift] = ip - 1 - base;
        const h = Math.imul(load32(src, ip), 0x1e35a7bd) >>> shift;
        cand = base + table[h]!;
        table[h] = ip - base;
        if (load32(src, ip) !== load32(src, cand)) {
          ip++;
          nextHash = Math.imul(load32(src, ip), 0x1e35a7bd) >>> shift;
          break;
        }
      }
    }
  }
  if (nextEmit < end) d = emitLiteral(dst, d, src, nextEmit, end - nextEmit);
  return d;
}
