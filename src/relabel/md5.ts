/** MD5 (RFC 1321). Workers' crypto.subtle has no MD5 and relabeling is synchronous,
 * so hashmod carries its own. Only the digest is needed, never for security. */

const S = new Uint8Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);

// K[i] = floor(abs(sin(i + 1)) * 2^32)
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0;

const M = new Int32Array(16);

function block(state: Int32Array, buf: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    M[i] = buf[j]! | (buf[j + 1]! << 8) | (buf[j + 2]! << 16) | (buf[j + 3]! << 24);
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const t = d;
    d = c;
    c = b;
    const x = (a + f + K[i]! + M[g]!) | 0;
    const s = S[i]!;
    b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    a = t;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

/** The 16-byte MD5 digest of `data`. */
export function md5(data: Uint8Array): Uint8Array {
  const state = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
  const n = data.length;
  let off = 0;
  for (; off + 64 <= n; off += 64) block(state, data, off);
  // Padding: 0x80, zeros, then the bit length as a little-endian 64-bit integer.
  const rest = n - off;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(data.subarray(off));
  tail[rest] = 0x80;
  const bitsLo = (n * 8) >>> 0;
  const bitsHi = Math.floor(n / 0x20000000) >>> 0;
  const p = tail.length - 8;
  tail[p] = bitsLo & 0xff;
  tail[p + 1] = (bitsLo >>> 8) & 0xff;
  tail[p + 2] = (bitsLo >>> 16) & 0xff;
  tail[p + 3] = bitsLo >>> 24;
  tail[p + 4] = bitsHi & 0xff;
  tail[p + 5] = (bitsHi >>> 8) & 0xff;
  tail[p + 6] = (bitsHi >>> 16) & 0xff;
  tail[p + 7] = bitsHi >>> 24;
  for (let o = 0; o < tail.length; o += 64) block(state, tail, o);
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = state[i]!;
    out[i * 4] = w & 0xff;
    out[i * 4 + 1] = (w >>> 8) & 0xff;
    out[i * 4 + 2] = (w >>> 16) & 0xff;
    out[i * 4 + 3] = (w >>> 24) & 0xff;
  }
  return out;
}

const encoder = new TextEncoder();

/** MD5 of the UTF-8 bytes of `s`, as lowercase hex (for tests and debugging). */
export function md5Hex(s: string): string {
  let hex = "";
  for (const b of md5(encoder.encode(s))) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** Prometheus' hashmod: the last 8 bytes of md5(s), read as a big-endian uint64,
 * modulo `modulus`. */
export function hashMod(s: string, modulus: number): number {
  const sum = md5(encoder.encode(s));
  const hi = ((sum[8]! << 24) | (sum[9]! << 16) | (sum[10]! << 8) | sum[11]!) >>> 0;
  const lo = ((sum[12]! << 24) | (sum[13]! << 16) | (sum[14]! << 8) | sum[15]!) >>> 0;
  if (modulus <= 0x200000) {
    // (hi * 2^32 + lo) mod m with every intermediate below 2^53.
    return ((hi % modulus) * (0x100000000 % modulus) + (lo % modulus)) % modulus;
  }
  return Number(((BigInt(hi) << 32n) | BigInt(lo)) % BigInt(modulus));
}
