import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ProtoReader,
  ProtoWriter,
  ProtobufError,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_START_GROUP,
  WIRE_END_GROUP,
  WIRE_VARINT,
  decodeUtf8,
  int64Length,
  utf8Length,
  varintLength,
} from "../../src/encoding/protobuf.js";
import { holds } from "../support/property.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ""), "hex"));

describe("varints", () => {
  it("encode as the protobuf spec shows", () => {
    const w = new ProtoWriter();
    w.uint32(150);
    expect(hex(w.finish())).toBe("9601");
    const w2 = new ProtoWriter();
    w2.int64(-1);
    expect(hex(w2.finish())).toBe("ffffffffffffffffff01");
    const w3 = new ProtoWriter();
    w3.int64(-2);
    expect(hex(w3.finish())).toBe("feffffffffffffffff01");
    const w4 = new ProtoWriter();
    w4.int64(2 ** 53 - 1);
    expect(hex(w4.finish())).toBe("ffffffffffffff0f");
  });

  it("int64 round-trips every safe integer, and lengths are predicted", () => {
    holds(
      fc.property(fc.maxSafeInteger(), (v) => {
        const w = new ProtoWriter(1);
        w.int64(v);
        const b = w.finish();
        expect(b.length).toBe(int64Length(v));
        const r = new ProtoReader(b);
        expect(r.int64()).toBe(v);
        expect(r.eof()).toBe(true);
      }),
    );
  });

  it("uint64 and uint32 round-trip", () => {
    holds(
      fc.property(fc.maxSafeNat(), fc.nat({ max: 0xffffffff }), (u, v) => {
        const w = new ProtoWriter(1);
        w.uint64(u);
        w.uint32(v);
        const b = w.finish();
        expect(b.length).toBe(varintLength(u) + varintLength(v));
        const r = new ProtoReader(b);
        expect(r.uint64()).toBe(u);
        expect(r.uint32()).toBe(v);
      }),
    );
  });

  it("int32 reads sign-extended negatives", () => {
    const w = new ProtoWriter();
    w.int64(-5);
    expect(new ProtoReader(w.finish()).int32()).toBe(-5);
  });

  it("rejects values outside the safe range instead of rounding", () => {
    // 2^53 and -2^53 - 1 as varints
    expect(() => new ProtoReader(fromHex("80808080808080 10")).int64()).toThrow(ProtobufError);
    expect(() => new ProtoReader(fromHex("ffffffffffffff efff 01")).int64()).toThrow(ProtobufError);
    // -2^53 is not safe either.
    expect(() => new ProtoReader(fromHex("80808080808080f0ff01")).int64()).toThrow(ProtobufError);
    // 2^63 as uint64
    expect(() => new ProtoReader(fromHex("80808080808080808001")).uint64()).toThrow(ProtobufError);
    // lengths and tags must fit 32 bits
    expect(() => new ProtoReader(fromHex("8080808010")).uint32()).toThrow(ProtobufError);
    expect(new ProtoReader(fromHex("ffffffff0f")).uint32()).toBe(0xffffffff);
  });

  it("rejects truncated and over-long varints", () => {
    expect(() => new ProtoReader(fromHex("80")).uint32()).toThrow(/truncated/);
    expect(() => new ProtoReader(fromHex("ffff")).int64()).toThrow(/truncated/);
    expect(() => new ProtoReader(fromHex("ffffffffffffffffffff01")).int64()).toThrow(/longer than 10/);
    expect(() => new ProtoReader(fromHex("")).uint32()).toThrow(ProtobufError);
  });
});

describe("fixed-width and length-delimited fields", () => {
  it("doubles keep their bits, NaN payloads included", () => {
    holds(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (hi, lo) => {
        const dv = new DataView(new ArrayBuffer(8));
        dv.setUint32(0, hi);
        dv.setUint32(4, lo);
        const w = new ProtoWriter();
        w.double(dv.getFloat64(0));
        const b = w.finish();
        expect(b.length).toBe(8);
        const out = new DataView(new ArrayBuffer(8));
        out.setFloat64(0, new ProtoReader(b).double());
        expect([out.getUint32(0), out.getUint32(4)]).toEqual([hi, lo]);
      }),
    );
  });

  it("strings round-trip and their UTF-8 length is predicted", () => {
    holds(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" })), (s) => {
        const expected = new TextEncoder().encode(s);
        expect(utf8Length(s)).toBe(expected.length);
        const w = new ProtoWriter(1);
        w.string(s);
        const r = new ProtoReader(w.finish());
        expect(r.string()).toBe(new TextDecoder().decode(expected));
      }),
    );
  });

  it("invalid UTF-8 is a ProtobufError", () => {
    expect(() => new ProtoReader(fromHex("02c328")).string()).toThrow(ProtobufError);
    expect(() => decodeUtf8(fromHex("ff"), 0, 1)).toThrow(ProtobufError);
    expect(decodeUtf8(fromHex("c3a9"), 0, 2)).toBe("é");
  });

  it("lengths past the end are errors", () => {
    expect(() => new ProtoReader(fromHex("05616263")).bytes()).toThrow(/runs past the end/);
    const r = new ProtoReader(fromHex("0361626364"), 0, 3);
    expect(() => r.string()).toThrow(ProtobufError);
    expect(() => new ProtoReader(fromHex("00000000")).double()).toThrow(/truncated fixed64/);
    expect(() => new ProtoReader(fromHex("000000")).fixed32()).toThrow(/truncated fixed32/);
  });

  it("bytes() is a view into the input", () => {
    const buf = fromHex("03010203ff");
    const r = new ProtoReader(buf);
    const b = r.bytes();
    expect([...b]).toEqual([1, 2, 3]);
    expect(b.buffer).toBe(buf.buffer);
    expect(r.pos).toBe(4);
  });
});

describe("skipping fields", () => {
  function message(): Uint8Array {
    const w = new ProtoWriter();
    w.tag(1, WIRE_VARINT);
    w.int64(-7);
    w.tag(2, WIRE_FIXED64);
    w.double(1.5);
    w.tag(3, WIRE_LEN);
    w.string("hello");
    w.tag(4, WIRE_FIXED32);
    w.fixed32(0xdeadbeef);
    w.tag(5, WIRE_START_GROUP);
    w.tag(1, WIRE_VARINT);
    w.uint32(1);
    w.tag(6, WIRE_START_GROUP); // nested group
    w.tag(2, WIRE_LEN);
    w.string("x");
    w.tag(6, WIRE_END_GROUP);
    w.tag(5, WIRE_END_GROUP);
    w.tag(536870911, WIRE_VARINT); // largest field number
    w.uint32(3);
    w.tag(7, WIRE_VARINT);
    w.uint32(42);
    return w.finish();
  }

  it("skips every wire type, nested groups included", () => {
    const r = new ProtoReader(message());
    let last = -1;
    while (!r.eof()) {
      const t = r.tag();
      if (t >>> 3 === 7) last = r.uint32();
      else r.skip(t & 7, t >>> 3);
    }
    expect(last).toBe(42);
  });

  it("every truncation of the message is an error", () => {
    const full = message();
    // Cut points that fall between top-level fields decode fine; all others must throw
    // ProtobufError and nothing else.
    let errors = 0;
    for (let len = 0; len < full.length; len++) {
      const r = new ProtoReader(full.subarray(0, len));
      try {
        while (!r.eof()) {
          const t = r.tag();
          r.skip(t & 7, t >>> 3);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(ProtobufError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(full.length / 2);
  });

  it("rejects mismatched or stray group ends, wire types 6/7 and field 0", () => {
    expect(() => new ProtoReader(fromHex("0b 14")).skip(WIRE_START_GROUP, 1)).toThrow(/mismatched/);
    expect(() => new ProtoReader(fromHex("")).skip(WIRE_END_GROUP, 1)).toThrow(/unexpected end of group/);
    expect(() => new ProtoReader(fromHex("0b")).skip(6, 1)).toThrow(/invalid wire type/);
    expect(() => new ProtoReader(fromHex("00")).tag()).toThrow(/field number 0/);
    expect(() => new ProtoReader(fromHex("08")).skip(WIRE_START_GROUP, 1)).toThrow(ProtobufError);
  });

  it("deeply nested groups are refused, not recursed into without bound", () => {
    const depth = 1000;
    const b = new Uint8Array(depth).fill(0x0b); // field 1, start group, repeated
    expect(() => new ProtoReader(b).skip(WIRE_START_GROUP, 1)).toThrow(/nested too deeply/);
  });
});
