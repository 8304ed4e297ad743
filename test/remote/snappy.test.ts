import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  SnappyError,
  snappyCompress,
  snappyDecodedLength,
  snappyDecompress,
  snappyMaxCompressedLength,
} from "../../src/remote/snappy.js";
import { holds } from "../support/property.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (...xs: Array<number | string>) =>
  Uint8Array.from(xs.flatMap((x) => (typeof x === "string" ? [...enc(x)] : [x])));

describe("snappy known vectors (constructed from the format)", () => {
  it("empty block", () => {
    expect([...snappyCompress(new Uint8Array(0))]).toEqual([0]);
    expect(snappyDecompress(bytes(0)).length).toBe(0);
  });

  it("literal only", () => {
    // length 3, literal tag (3-1)<<2
    expect(dec(snappyDecompress(bytes(3, 0x08, "abc")))).toBe("abc");
    expect([...snappyCompress(enc("abc"))]).toEqual([3, 0x08, 0x61, 0x62, 0x63]);
  });

  it("literal with 1- and 2-byte length extensions", () => {
    const a = "x".repeat(100);
    expect(dec(snappyDecompress(bytes(100, 60 << 2, 99, a)))).toBe(a);
    const b = "y".repeat(300);
    expect(dec(snappyDecompress(bytes(0xac, 0x02, 61 << 2, 299 & 0xff, 299 >> 8, b)))).toBe(b);
    const c = "z".repeat(70_000);
    const n = 70_000 - 1;
    expect(dec(snappyDecompress(bytes(0xf0, 0xa2, 0x04, 62 << 2, n & 0xff, (n >> 8) & 0xff, n >> 16, c)))).toBe(c);
    expect(dec(snappyDecompress(bytes(4, 63 << 2, 3, 0, 0, 0, "abcd")))).toBe("abcd");
  });

  it("copy with a 1-byte offset overlapping its own output (run-length)", () => {
    // 'a' then copy offset 1 length 9: tag (9-4)<<2 | 1
    expect(dec(snappyDecompress(bytes(10, 0x00, "a", 0x15, 0x01)))).toBe("a".repeat(10));
  });

  it("copy with a 2-byte offset repeating a pattern", () => {
    // "abc" then copy offset 3 length 9: tag (9-1)<<2 | 2
    expect(dec(snappyDecompress(bytes(12, 0x08, "abc", 0x22, 3, 0)))).toBe("abcabcabcabc");
  });

  it("copy with a 4-byte offset", () => {
    expect(dec(snappyDecompress(bytes(8, 0x0c, "abcd", 0x0f, 4, 0, 0, 0)))).toBe("abcdabcd");
  });

  it("copy with the high offset bits in the tag", () => {
    const lit = new Uint8Array(1600).map((_, i) => (i * 7) & 0xff);
    const off = 1535; // 0x5ff: top 3 bits (5) go into the tag
    const src = bytes(0xc6, 0x0c, 61 << 2, 1599 & 0xff, 1599 >> 8, ...lit, (5 << 5) | ((6 - 4) << 2) | 1, 0xff);
    const out = snappyDecompress(src);
    expect(out.length).toBe(1606);
    expect([...out.subarray(1600)]).toEqual([...lit.subarray(1600 - off, 1606 - off)]);
  });

  it("the compressor uses copies for repeated data", () => {
    const input = enc("node_cpu_seconds_total".repeat(200));
    const c = snappyCompress(input);
    expect(c.length).toBeLessThan(input.length / 10);
    expect(dec(snappyDecompress(c))).toBe(dec(input));
    expect(snappyDecodedLength(c)).toBe(input.length);
  });
});

describe("snappy round trips", () => {
  it("arbitrary bytes", () => {
    holds(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (input) => {
        const c = snappyCompress(input);
        expect(c.length).toBeLessThanOrEqual(snappyMaxCompressedLength(input.length));
        expect(snappyDecompress(c)).toEqual(input);
      }),
      { numRuns: 300 },
    );
  });

  it("repetitive data built from a small alphabet and repeated chunks", () => {
    const piece = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => b.map((x) => x % 4));
    holds(
      fc.property(fc.array(fc.tuple(piece, fc.integer({ min: 1, max: 80 })), { maxLength: 40 }), (parts) => {
        const input = new Uint8Array(parts.reduce((a, [p, times]) => a + p.length * times, 0));
        let o = 0;
        for (const [p, times] of parts) {
          for (let i = 0; i < times; i++) {
            input.set(p, o);
            o += p.length;
          }
        }
        expect(Buffer.compare(snappyDecompress(snappyCompress(input)), input)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it("inputs longer than one 64 KiB block", () => {
    const n = 300_000;
    const input = new Uint8Array(n);
    let x = 1;
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      input[i] = i % 1000 < 500 ? (x >>> 24) % 16 : i & 0xff;
    }
    const c = snappyCompress(input);
    expect(c.length).toBeLessThan(n);
    expect(Buffer.compare(snappyDecompress(c, n), input)).toBe(0);
  });
});

describe("snappy corrupt input", () => {
  const cases: Array<[string, Uint8Array]> = [
    ["empty input", bytes()],
    ["truncated preamble", bytes(0x80)],
    ["preamble longer than 5 bytes", bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)],
    ["preamble above 2^32-1", bytes(0xff, 0xff, 0xff, 0xff, 0x7f)],
    ["literal past the end of input", bytes(5, 0x10, "ab")],
    ["literal past the declared length", bytes(2, 0x08, "abc")],
    ["truncated literal length", bytes(100, 60 << 2)],
    ["copy offset 0", bytes(5, 0x00, "a", 0x01, 0x00)],
    ["copy offset beyond output", bytes(6, 0x00, "a", 0x05, 0x02)],
    ["copy past the declared length", bytes(6, 0x00, "a", 0x15, 0x01)],
    ["truncated 1-byte-offset copy", bytes(5, 0x00, "a", 0x01)],
    ["truncated 2-byte-offset copy", bytes(5, 0x00, "a", 0x0e, 0x01)],
    ["truncated 4-byte-offset copy", bytes(5, 0x00, "a", 0x0f, 0x01, 0, 0)],
    ["4-byte offset beyond output", bytes(5, 0x00, "a", 0x0f, 0x01, 0, 0, 1)],
    ["output shorter than declared", bytes(5, 0x08, "abc")],
  ];
  for (const [name, input] of cases) {
    it(name, () => {
      expect(() => snappyDecompress(input)).toThrow(SnappyError);
    });
  }

  it("checks the declared length against the limit before allocating", () => {
    const c = snappyCompress(new Uint8Array(1000));
    expect(() => snappyDecompress(c, 999)).toThrow(/exceeds the limit/);
    expect(snappyDecompress(c, 1000).length).toBe(1000);
    // 4 GiB declared, 3 bytes of body: rejected without trying to allocate it.
    expect(() => snappyDecompress(bytes(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61), 2 ** 33)).toThrow(
      /cannot expand/,
    );
  });

  it("random input fails only with SnappyError and never exceeds the limit", () => {
    holds(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        try {
          const out = snappyDecompress(input, 4096);
          expect(out.length).toBeLessThanOrEqual(4096);
        } catch (e) {
          expect(e).toBeInstanceOf(SnappyError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("flipping bytes of a valid block fails cleanly or decodes to the declared size", () => {
    const good = snappyCompress(enc("abcdefgh".repeat(50) + "the quick brown fox".repeat(20)));
    holds(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = good.slice();
        bad[i]! ^= x;
        try {
          const out = snappyDecompress(bad);
          expect(out.length).toBe(snappyDecodedLength(bad));
        } catch (e) {
          expect(e).toBeInstanceOf(SnappyError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
