import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashMod, md5, md5Hex } from "../../src/relabel/md5.js";
import { holds } from "../support/property.js";

function nodeMd5(s: string): Buffer {
  return createHash("md5").update(s, "utf8").digest();
}

function expectedHashMod(s: string, modulus: number): number {
  return Number(nodeMd5(s).readBigUInt64BE(8) % BigInt(modulus));
}

describe("md5", () => {
  it("matches RFC 1321's test suite", () => {
    expect(md5Hex("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5Hex("a")).toBe("0cc175b9c0f1b6a831c399e269772661");
    expect(md5Hex("abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(md5Hex("message digest")).toBe("f96b697d7cb7938d525a2f31aaf161d0");
    expect(md5Hex("abcdefghijklmnopqrstuvwxyz")).toBe("c3fcd3d76192e4007dfb496cca67e13b");
    expect(md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890")).toBe(
      "57edf4a22be3c955ac49da2e2107b67a",
    );
  });

  it("agrees with node:crypto at every padding boundary", () => {
    for (let n = 0; n <= 200; n++) {
      const s = "x".repeat(n);
      expect(md5Hex(s), `length ${n}`).toBe(nodeMd5(s).toString("hex"));
    }
  });

  it("agrees with node:crypto on arbitrary UTF-8 input", () => {
    holds(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (s) => {
        expect(Buffer.from(md5(new TextEncoder().encode(s))).equals(nodeMd5(s))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("hashMod", () => {
  it("is the big-endian uint64 of md5's last 8 bytes modulo the modulus", () => {
    for (const s of ["", "foo", "127.0.0.1:9100", "ünïcödé;value", "a;b;c"]) {
      for (const m of [1, 2, 3, 7, 10, 1000, 2 ** 20, 2 ** 21, 2 ** 21 + 1, 2 ** 32, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
        expect(hashMod(s, m), `${s} % ${m}`).toBe(expectedHashMod(s, m));
      }
    }
  });

  it("agrees with node:crypto for random values and moduli", () => {
    holds(
      fc.property(fc.string({ maxLength: 50 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (s, m) => {
        expect(hashMod(s, m)).toBe(expectedHashMod(s, m));
      }),
      { numRuns: 300 },
    );
  });
});
