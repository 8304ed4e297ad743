/**
 * Bit streams: a big-endian (most significant bit first) bit writer and reader over
 * Uint8Array, the layout Gorilla/XOR chunks use.
 *
 * Both sides work on 32-bit words so that the per-sample cost is a few integer
 * operations and no allocation. 64-bit quantities are passed as (hi, lo) uint32 pairs;
 * nothing here uses BigInt.
 */

export class ChunkCorruptError extends Error {
  override name = "ChunkCorruptError";
}

/** Appends bits to a growable buffer. Bits are collected in a 32-bit accumulator and
 * flushed one word (4 bytes) at a time. */
export class BitWriter {
  private buf: Uint8Array;
  /** Bytes fully written to `buf`. */
  private byteLen: number;
  /** Pending bits, right-aligned; always fewer than 32. */
  private acc = 0;
  private accBits = 0;

  /** `prefixBytes` reserves room at the start of the buffer for a header the owner
   * fills in itself (bits are written after it). */
  constructor(prefixBytes = 0, capacity = 64) {
    this.buf = new Uint8Array(Math.max(capacity, prefixBytes + 8));
    this.byteLen = prefixBytes;
  }

  /** A writer that continues a stream: keeps the first `bitLength` bits of `bytes`
   * (copied) and appends after them. Bits after `bitLength` are discarded. */
  static continueFrom(bytes: Uint8Array, bitLength: number): BitWriter {
    if (bitLength < 0 || bitLength > bytes.length * 8) {
      throw new RangeError(`bit length ${bitLength} outside stream of ${bytes.length} bytes`);
    }
    const full = bitLength >>> 3;
    const rem = bitLength & 7;
    const w = new BitWriter(0, Math.max(64, bytes.length * 2));
    w.buf.set(bytes.subarray(0, full));
    w.byteLen = full;
    if (rem !== 0) {
      w.acc = bytes[full]! >>> (8 - rem);
      w.accBits = rem;
    }
    return w;
  }

  /** Number of bits written so far, including any prefix bytes. */
  bitLength(): number {
    return this.byteLen * 8 + this.accBits;
  }

  /** Writes the low `n` bits of `v` (0 <= n <= 32). `v` must not have bits set above
   * bit n-1 (callers mask); this keeps the hot path branch-light. */
  writeBits(v: number, n: number): void {
    const free = 32 - this.accBits;
    if (n < free) {
      this.acc = (this.acc << n) | v;
      this.accBits += n;
      return;
    }
    // Fill the accumulator to 32 bits, flush it, keep the rest.
    const rest = n - free;
    const word = free === 32 ? v : (this.acc << free) | (v >>> rest);
    this.flushWord(word);
    this.acc = rest === 0 ? 0 : v & ((1 << rest) - 1);
    this.accBits = rest;
  }

  /** Writes the low `n` bits (0 <= n <= 64) of the 64-bit value hi:lo. As with
   * writeBits, bits above n-1 must be clear. */
  writeBits64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo >>> 0, 32);
    } else {
      this.writeBits(lo >>> 0, n);
    }
  }

  writeByte(b: number): void {
    this.writeBits(b & 0xff, 8);
  }

  private flushWord(word: number): void {
    let i = this.byteLen;
    if (i + 4 > this.buf.length) this.grow(i + 4);
    const b = this.buf;
    b[i++] = word >>> 24;
    b[i++] = word >>> 16;
    b[i++] = word >>> 8;
    b[i++] = word;
    this.byteLen = i;
  }

  private grow(min: number): void {
    const next = new Uint8Array(Math.max(min, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.byteLen));
    this.buf = next;
  }

  /** The stream so far, zero-padded to a whole byte, followed by `extraZeroBytes` zero
   * bytes. The returned view aliases the writer's buffer: it is valid until the next
   * write; copy it (`.slice()`) to keep it. */
  bytes(extraZeroBytes = 0): Uint8Array {
    const n = this.byteLen + ((this.accBits + 7) >>> 3);
    if (n + 4 + extraZeroBytes > this.buf.length) this.grow(n + 4 + extraZeroBytes);
    if (this.accBits > 0) {
      // Left-align the pending bits and store them without committing: later words
      // overwrite these bytes with the same leading bits.
      const w = this.acc << (32 - this.accBits);
      const b = this.buf;
      let i = this.byteLen;
      b[i++] = w >>> 24;
      b[i++] = w >>> 16;
      b[i++] = w >>> 8;
      b[i] = w;
    }
    if (extraZeroBytes > 0) this.buf.fill(0, n, n + extraZeroBytes);
    return this.buf.subarray(0, n + extraZeroBytes);
  }

  /** Direct access for owners that keep a header in the prefix bytes. */
  setByte(i: number, v: number): void {
    this.buf[i] = v;
  }
}

/** Reads bits MSB-first from a byte array. Reading past the end yields zero bits;
 * callers check `overrun()` (or compare `pos` with the length) at sample boundaries,
 * which keeps bounds checks out of the inner bit operations. */
export class BitReader {
  readonly buf: Uint8Array;
  /** Current position in bits from the start of `buf`. */
  pos: number;
  readonly bitLen: number;

  constructor(buf: Uint8Array, startBit = 0) {
    this.buf = buf;
    this.pos = startBit;
    this.bitLen = buf.length * 8;
  }

  /** The next 32 bits (as an int32; use `>>>` to extract fields) without consuming. */
  peek32(): number {
    return peek32(this.buf, this.pos);
  }

  skip(n: number): void {
    this.pos += n;
  }

  /** Reads n bits, 0 <= n <= 32, as an unsigned number. */
  readBits(n: number): number {
    if (n === 0) return 0;
    const w = peek32(this.buf, this.pos);
    this.pos += n;
    return w >>> (32 - n);
  }

  readBit(): number {
    const b = this.buf[this.pos >>> 3];
    const bit = b === undefined ? 0 : (b >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return bit;
  }

  readByte(): number {
    return this.readBits(8);
  }

  /** True when more bits were consumed than the buffer holds. */
  overrun(): boolean {
    return this.pos > this.bitLen;
  }
}

/** The 32 bits starting at bit `pos` of `b` (bits past the end read as 0), as int32. */
export function peek32(b: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const off = pos & 7;
  if (i + 4 < b.length) {
    const w = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
    return off === 0 ? w : (w << off) | (b[i + 4]! >>> (8 - off));
  }
  return peek32Slow(b, i, off);
}

function peek32Slow(b: Uint8Array, i: number, off: number): number {
  const n = b.length;
  const b0 = i < n ? b[i]! : 0;
  const b1 = i + 1 < n ? b[i + 1]! : 0;
  const b2 = i + 2 < n ? b[i + 2]! : 0;
  const b3 = i + 3 < n ? b[i + 3]! : 0;
  const w = (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
  if (off === 0) return w;
  const b4 = i + 4 < n ? b[i + 4]! : 0;
  return (w << off) | (b4 >>> (8 - off));
}

// Varints inside a bit stream, byte-for-byte what Go's binary.PutUvarint/PutVarint
// produce (little-endian groups of 7 bits, zig-zag for signed). Values are JS numbers
// and must be safe integers.

export function writeUvarint(w: BitWriter, n: number): void {
  while (n >= 0x80) {
    w.writeBits((n % 0x80) | 0x80, 8);
    n = Math.floor(n / 0x80);
  }
  w.writeBits(n, 8);
}

/** Zig-zag: 0,-1,1,-2,... -> 0,1,2,3,... computed without overflowing 2^53: the low
 * group carries the sign bit, the rest is |n| (or |n|-1) shifted by 6. */
export function writeVarint(w: BitWriter, n: number): void {
  const neg = n < 0;
  const m = neg ? -n - 1 : n;
  const first = (m % 0x40) * 2 + (neg ? 1 : 0);
  const rest = Math.floor(m / 0x40);
  if (rest === 0) {
    w.writeBits(first, 8);
    return;
  }
  w.writeBits(first | 0x80, 8);
  writeUvarint(w, rest);
}

export function readUvarint(r: BitReader): number {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = r.readBits(8);
    value += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (value > Number.MAX_SAFE_INTEGER) throw new ChunkCorruptError("varint exceeds 2^53");
      return value;
    }
    mul *= 0x80;
  }
  throw new ChunkCorruptError("varint longer than 10 bytes");
}

export function readVarint(r: BitReader): number {
  const b0 = r.readBits(8);
  const neg = (b0 & 1) === 1;
  let m = (b0 & 0x7f) >>> 1;
  if (b0 >= 0x80) m += readUvarint(r) * 0x40;
  if (m >= Number.MAX_SAFE_INTEGER && (neg || m > Number.MAX_SAFE_INTEGER)) {
    throw new ChunkCorruptError("varint exceeds 2^53");
  }
  return neg ? -m - 1 : m;
}
