/** Varint byte streams for the packed row formats (blocks, head snapshots, series
 * segments). Numbers are JS numbers up to 2^53; signed ones are zigzagged with
 * arithmetic, since bit operators would truncate them to 32 bits. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ByteWriter {
  private buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  uvarint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }

  svarint(n: number): void {
    this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.byteLength);
    this.buf.set(b, this.len);
    this.len += b.byteLength;
  }

  /** Length-prefixed bytes. */
  blob(b: Uint8Array): void {
    this.uvarint(b.byteLength);
    this.bytes(b);
  }

  string(s: string): void {
    this.blob(encoder.encode(s));
  }

  /** A copy of what was written, exactly sized (a SQLite blob binds the whole buffer). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

export class ByteReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  uvarint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error("packed row truncated");
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
  }

  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error("packed row truncated");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  blob(): Uint8Array {
    return this.bytes(this.uvarint());
  }

  string(): string {
    return decoder.decode(this.blob());
  }
}
