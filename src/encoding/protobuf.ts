/**
 * Minimal protocol buffers wire-format reader and writer: varints (64-bit ones held as
 * JS numbers, exact within +-2^53), fixed64 doubles, length-delimited fields, and
 * skipping of unknown fields (groups included). No schema, no reflection, no BigInt.
 */

export class ProtobufError extends Error {
  override name = "ProtobufError";
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;
const MAX_GROUP_DEPTH = 64;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Enc = new TextEncoder();

/**
 * Reads fields from `buf[pos, end)`. Every read checks bounds and throws ProtobufError
 * on truncated or malformed input.
 */
export class ProtoReader {
  readonly buf: Uint8Array;
  pos: number;
  end: number;
  private readonly view: DataView;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field key; returns field number << 3 | wire type. */
  tag(): number {
    const t = this.uint32();
    if (t >>> 3 === 0) throw new ProtobufError(`invalid field number 0 at offset ${this.pos}`);
    return t;
  }

  /** A varint that must fit 32 bits unsigned (tags, lengths); anything larger is an
   * error rather than silently truncated. */
  uint32(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    if (p < end) {
      const x = b[p]!;
      if (x < 0x80) {
        this.pos = p + 1;
        return x;
      }
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= end) throw new ProtobufError("truncated varint");
      const x = b[p++]!;
      if (shift === 28 && x > 0x0f) break;
      result |= (x & 0x7f) << shift;
      if (x < 0x80) {
        this.pos = p;
        return result >>> 0;
      }
    }
    throw new ProtobufError(`varint at offset ${this.pos} does not fit 32 bits`);
  }

  /** An int32 / enum varint: negative values come sign-extended in 10 bytes. */
  int32(): number {
    return this.int64Bits() | 0;
  }

  /** An int64 varint as a JS number; throws if it is outside +-(2^53-1). */
  int64(): number {
    const lo = this.int64Bits();
    const hi = this.hiBits;
    if (hi > 0x1fffff || hi < -0x200000 || (hi === -0x200000 && lo === 0)) {
      throw new ProtobufError("int64 outside the safe integer range");
    }
    return hi * TWO_32 + lo;
  }

  /** A uint64 varint as a JS number; throws if it is above 2^53-1. */
  uint64(): number {
    const lo = this.int64Bits();
    const hi = this.hiBits >>> 0;
    if (hi > 0x1fffff) throw new ProtobufError("uint64 outside the safe integer range");
    return hi * TWO_32 + lo;
  }

  /** A zigzag sint64 (or sint32) varint as a JS number; throws outside +-2^52. */
  sint64(): number {
    const u = this.uint64();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** High word (signed) of the last int64Bits() read. */
  private hiBits = 0;

  /** Reads a 64-bit varint; returns the low word (unsigned) and leaves the high word
   * in `hiBits`. */
  private int64Bits(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (i === 10) throw new ProtobufError("varint longer than 10 bytes");
      if (p >= end) throw new ProtobufError("truncated varint");
      const x = b[p++]!;
      const bits = x & 0x7f;
      if (i < 4) {
        lo |= bits << (7 * i);
      } else if (i === 4) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else {
        hi |= bits << (7 * i - 32);
      }
      if (x < 0x80) break;
    }
    this.pos = p;
    this.hiBits = hi | 0;
    return lo >>> 0;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtobufError("truncated fixed64");
    this.pos = p + 8;
    return this.view.getFloat64(p, true);
  }

  fixed32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw new ProtobufError("truncated fixed32");
    this.pos = p + 4;
    return this.view.getUint32(p, true);
  }

  /** Reads a length prefix and returns the end offset of the delimited bytes. */
  lengthEnd(): number {
    const len = this.uint32();
    const start = this.pos;
    if (len > this.end - start) {
      throw new ProtobufError(`length ${len} at offset ${start} runs past the end of the message`);
    }
    return start + len;
  }

  /** A reader over the next length-delimited field's bytes (an embedded message);
   * this reader moves past them. */
  sub(): ProtoReader {
    const end = this.lengthEnd();
    const r = new ProtoReader(this.buf, this.pos, end);
    this.pos = end;
    return r;
  }

  /** Length-delimited bytes as a view into the input (no copy). */
  bytes(): Uint8Array {
    const end = this.lengthEnd();
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  /** A length-delimited UTF-8 string; invalid UTF-8 is an error. */
  string(): string {
    const end = this.lengthEnd();
    const s = decodeUtf8(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  /** Skips the value of a field with the given wire type. */
  skip(wireType: number, fieldNumber = 0, depth = 0): void {
    switch (wireType) {
      case WIRE_VARINT: {
        let p = this.pos;
        for (let i = 0; ; i++) {
          if (i === 10) throw new ProtobufError("varint longer than 10 bytes");
          if (p >= this.end) throw new ProtobufError("truncated varint");
          if (this.buf[p++]! < 0x80) break;
        }
        this.pos = p;
        return;
      }
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw new ProtobufError("truncated fixed64");
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw new ProtobufError("truncated fixed32");
        this.pos += 4;
        return;
      case WIRE_START_GROUP: {
        if (depth >= MAX_GROUP_DEPTH) throw new ProtobufError("groups nested too deeply");
        for (;;) {
          if (this.eof()) throw new ProtobufError("truncated group");
          const t = this.tag();
          if ((t & 7) === WIRE_END_GROUP) {
            if (t >>> 3 !== fieldNumber) throw new ProtobufError("mismatched end of group");
            return;
          }
          this.skip(t & 7, t >>> 3, depth + 1);
        }
      }
      case WIRE_END_GROUP:
        throw new ProtobufError("unexpected end of group");
      default:
        throw new ProtobufError(`invalid wire type ${wireType}`);
    }
  }
}

// Short ASCII strings (label names and most label values) go through a small intern
// table: remote write repeats the same names and values across series and requests,
// and returning the same string instance avoids building (and later collecting) a new
// one each time. Entries are verified byte by byte, so a collision only costs a miss.
const INTERN_MAX_LEN = 64;
const INTERN_SIZE = 8192;
const internTable: string[] = new Array<string>(INTERN_SIZE).fill("");

/** Decodes UTF-8 from `b[start, end)`. Invalid UTF-8 throws ProtobufError. */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return "";
  if (n > INTERN_MAX_LEN) return decodeUtf8Slow(b, start, end);
  let h = n;
  let any = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    any |= c;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (any >= 0x80) return decodeUtf8Slow(b, start, end);
  const idx = (h ^ (h >>> 13)) & (INTERN_SIZE - 1);
  const cand = internTable[idx]!;
  if (cand.length === n) {
    let i = 0;
    while (i < n && cand.charCodeAt(i) === b[start + i]) i++;
    if (i === n) return cand;
  }
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  internTable[idx] = s;
  return s;
}

function decodeUtf8Slow(b: Uint8Array, start: number, end: number): string {
  try {
    return utf8.decode(b.subarray(start, end));
  } catch {
    throw new ProtobufError(`invalid UTF-8 in string at offset ${start}`);
  }
}

/** Number of bytes the UTF-8 encoding of `s` takes (lone surrogates count as U+FFFD,
 * as TextEncoder writes them). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes.
        n += 2;
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** Number of bytes the varint encoding of a non-negative safe integer takes. */
export function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/** Bytes an int64 varint of `v` takes: negative values always take 10. */
export function int64Length(v: number): number {
  return v < 0 ? 10 : varintLength(v);
}

/**
 * Writes into a buffer of a size the caller computed beforehand (see the *Length
 * helpers); the writer grows if the estimate was short, so a wrong size costs a copy,
 * never corrupt output.
 */
export class ProtoWriter {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;

  constructor(size = 256) {
    this.buf = new Uint8Array(Math.max(size, 16));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  tag(field: number, wireType: number): void {
    this.uint32(((field << 3) | wireType) >>> 0);
  }

  uint32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A non-negative safe integer as a varint. */
  uint64(v: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A safe integer as an int64 varint (negative values in 10 bytes, two's complement). */
  int64(v: number): void {
    if (v >= 0) {
      this.uint64(v);
      return;
    }
    let hi = Math.floor(v / TWO_32) >>> 0;
    let lo = (v - Math.floor(v / TWO_32) * TWO_32) >>> 0;
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < 9; i++) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[p++] = lo & 0x01;
    this.pos = p;
  }

  /** A safe integer as a zigzag sint64 varint. */
  sint64(v: number): void {
    this.uint64(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A length-prefixed string whose UTF-8 length the caller already knows. */
  stringWithLength(s: string, byteLength: number): void {
    this.uint32(byteLength);
    this.ensure(byteLength);
    if (byteLength === s.length) {
      // ASCII: the encoded length equals the UTF-16 length only if every unit is < 0x80.
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
      return;
    }
    const r = utf8Enc.encodeInto(s, this.buf.subarray(this.pos, this.pos + byteLength));
    if (r.written !== byteLength) throw new ProtobufError("string length changed while encoding");
    this.pos += byteLength;
  }

  string(s: string): void {
    this.stringWithLength(s, utf8Length(s));
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
