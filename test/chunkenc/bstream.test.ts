import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  BitReader,
  BitWriter,
  ChunkCorruptError,
  readUvarint,
  readVarint,
  writeUvarint,
  writeVarint,
} from "../../src/chunkenc/bstream.js";
import { holds } from "../support/property.js";

describe("BitWriter / BitReader", () => {
  it("writes MSB first and pads the last byte with zeros", () => {
    const w = new BitWriter();
    w.writeBits(1, 1);
    w.writeBits(0, 1);
    w.writeBits(0b101, 3);
    expect(w.bitLength()).toBe(5);
    expect([...w.bytes()]).toEqual([0b10101000]);
  });

  it("keeps prefix bytes for a header", () => {
    const w = new BitWriter(2);
    w.writeBits(0xab, 8);
    expect(w.bitLength()).toBe(24);
    expect([...w.bytes()]).toEqual([0, 0, 0xab]);
  });

  it("round-trips arbitrary bit fields", () => {
    holds(
      fc.property(
        fc.array(
          fc.integer({ min: 0, max: 32 }).chain((n) =>
            fc.tuple(fc.constant(n), n === 0 ? fc.constant(0) : fc.integer({ min: 0, max: 2 ** n - 1 })),
          ),
          { maxLength: 200 },
        ),
        (fields) => {
          const w = new BitWriter(0, 1);
          let total = 0;
          for (const [n, v] of fields) {
            w.writeBits(v, n);
            total += n;
          }
          expect(w.bitLength()).toBe(total);
          const bytes = w.bytes().slice();
          expect(bytes.length).toBe(Math.ceil(total / 8));
          const r = new BitReader(bytes);
          for (const [n, v] of fields) expect(r.readBits(n)).toBe(v);
          expect(r.overrun()).toBe(false);
        },
      ),
    );
  });

  it("bytes() can be called between writes", () => {
    const w = new BitWriter();
    w.writeBits(0b11, 2);
    expect([...w.bytes()]).toEqual([0b11000000]);
    w.writeBits(0xffffffff, 32);
    w.writeBits(1, 1);
    expect([...w.bytes()]).toEqual([0xff, 0xff, 0xff, 0xff, 0b11100000]);
  });

  it("continueFrom keeps exactly the given bits", () => {
    const w = new BitWriter();
    w.writeBits(0b1011, 4);
    const w2 = BitWriter.continueFrom(Uint8Array.of(0b10111111), 4);
    w.writeBits(0b0110, 4);
    w2.writeBits(0b0110, 4);
    expect([...w2.bytes()]).toEqual([...w.bytes()]);
    expect(() => BitWriter.continueFrom(Uint8Array.of(1), 9)).toThrow(RangeError);
  });

  it("readBit and overrun", () => {
    const r = new BitReader(Uint8Array.of(0b10000001));
    const bits = [];
    for (let i = 0; i < 8; i++) bits.push(r.readBit());
    expect(bits).toEqual([1, 0, 0, 0, 0, 0, 0, 1]);
    expect(r.overrun()).toBe(false);
    expect(r.readBit()).toBe(0);
    expect(r.overrun()).toBe(true);
  });
});

describe("varints in a bit stream", () => {
  it("match Go's encoding for known values", () => {
    const enc = (f: (w: BitWriter) => void) => {
      const w = new BitWriter();
      f(w);
      return [...w.bytes()];
    };
    expect(enc((w) => writeUvarint(w, 0))).toEqual([0]);
    expect(enc((w) => writeUvarint(w, 300))).toEqual([0xac, 0x02]);
    expect(enc((w) => writeVarint(w, 0))).toEqual([0]);
    expect(enc((w) => writeVarint(w, -1))).toEqual([1]);
    expect(enc((w) => writeVarint(w, 1))).toEqual([2]);
    expect(enc((w) => writeVarint(w, -64))).toEqual([0x7f]);
    expect(enc((w) => writeVarint(w, 64))).toEqual([0x80, 0x01]);
  });

  it("round-trip every safe integer, unaligned too", () => {
    holds(
      fc.property(fc.maxSafeInteger(), fc.maxSafeNat(), fc.integer({ min: 0, max: 7 }), (s, u, pad) => {
        const w = new BitWriter();
        w.writeBits(0, pad);
        writeVarint(w, s);
        writeUvarint(w, u);
        const r = new BitReader(w.bytes().slice(), pad);
        expect(readVarint(r)).toBe(s);
        expect(readUvarint(r)).toBe(u);
      }),
    );
  });

  it("reject over-long and too-large varints", () => {
    const long = new BitReader(new Uint8Array(11).fill(0x80));
    expect(() => readUvarint(long)).toThrow(ChunkCorruptError);
    const big = new BitReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f));
    expect(() => readUvarint(big)).toThrow(ChunkCorruptError);
  });
});
