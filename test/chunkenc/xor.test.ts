import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ChunkCorruptError,
  MAX_SAMPLES_PER_CHUNK,
  OutOfOrderSampleError,
  XorChunk,
  XorIterator,
  decodeXor,
  decodeXorInto,
} from "../../src/chunkenc/index.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import { holds } from "../support/property.js";

// Values are kept as raw bits (hi, lo) wherever they are stored, because V8 quiets
// signalling NaNs (the stale marker is one) when they are put into plain JS arrays.
const dv = new DataView(new ArrayBuffer(8));
function bitsOf(v: number): string {
  dv.setFloat64(0, v);
  return dv.getUint32(0).toString(16).padStart(8, "0") + dv.getUint32(4).toString(16).padStart(8, "0");
}
function fromBits(hex: string): number {
  dv.setUint32(0, parseInt(hex.slice(0, 8), 16));
  dv.setUint32(4, parseInt(hex.slice(8), 16));
  return dv.getFloat64(0);
}

interface S {
  t: number;
  bits: string;
}

function encode(samples: readonly S[]): XorChunk {
  const c = new XorChunk();
  for (const s of samples) c.append(s.t, fromBits(s.bits));
  return c;
}

function viaIterator(bytes: Uint8Array): S[] {
  const out: S[] = [];
  const it = new XorIterator(bytes);
  while (it.next()) out.push({ t: it.t, bits: bitsOf(it.v) });
  return out;
}

function viaBulk(bytes: Uint8Array): S[] {
  const { ts, vs } = decodeXor(bytes);
  const u = new DataView(vs.buffer);
  const out: S[] = [];
  for (let i = 0; i < ts.length; i++) {
    // Read the bits straight from the array's memory (little-endian host layout).
    const lo = u.getUint32(i * 8, true);
    const hi = u.getUint32(i * 8 + 4, true);
    out.push({ t: ts[i]!, bits: hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0") });
  }
  return out;
}

function roundTrip(samples: readonly S[]): Uint8Array {
  const c = encode(samples);
  const bytes = c.bytes().slice();
  expect(c.numSamples()).toBe(samples.length);
  expect(viaIterator(bytes)).toEqual(samples);
  expect(viaBulk(bytes)).toEqual(samples);
  return bytes;
}

function series(ts: readonly number[], vs: readonly number[]): S[] {
  return ts.map((t, i) => ({ t, bits: bitsOf(vs[i % vs.length]!) }));
}

const T0 = 1_700_000_000_000;

describe("XorChunk layout", () => {
  it("matches a hand-derived encoding", () => {
    // (1000, 1.0), (2000, 1.0), (3000, 2.0):
    //   00 03                     sample count
    //   d0 0f                     zig-zag varint 1000 -> 2000
    //   3f f0 00 00 00 00 00 00   1.0
    //   e8 07                     uvarint delta 1000
    //   '0'                       value unchanged
    //   '0'                       delta-of-delta 0
    //   '11' 00001 001011 + 11 ones   2.0 ^ 1.0 = 0x7ff0.., leading 1, 11 significant bits
    const c = new XorChunk();
    c.append(1000, 1);
    c.append(2000, 1);
    c.append(3000, 2);
    expect(Buffer.from(c.bytes()).toString("hex")).toBe("0003d00f3ff0000000000000e8073097ffc0");
  });

  it("a single-sample chunk ends with Prometheus' padding byte", () => {
    // 00 01 | varint 1000 (d0 0f) | 1.0 | one empty byte, as Prometheus' writer leaves it
    const c = new XorChunk();
    c.append(1000, 1);
    expect(Buffer.from(c.bytes()).toString("hex")).toBe("0001d00f3ff000000000000000");
    expect(c.size()).toBe(13);
    // The padding disappears as soon as bits follow.
    c.append(2000, 1);
    expect(Buffer.from(c.bytes()).toString("hex")).toBe("0002d00f3ff0000000000000e80700");
    c.append(3000, 1);
    expect(Buffer.from(c.bytes()).toString("hex")).toBe("0003d00f3ff0000000000000e80700");
  });

  it("an empty chunk is its 2-byte header", () => {
    const c = new XorChunk();
    expect([...c.bytes()]).toEqual([0, 0]);
    expect(c.numSamples()).toBe(0);
    expect(c.minTime()).toBeNaN();
    expect(viaIterator(c.bytes())).toEqual([]);
    expect(decodeXor(c.bytes()).ts.length).toBe(0);
  });

  it("uses each delta-of-delta bucket, boundaries included", () => {
    const dods = [
      0, 1, -1, 8192, -8191, 8193, -8192, 65536, -65535, 65537, -65536, 524288, -524287, 524289, -524288,
      2 ** 40, -(2 ** 39), 2 ** 52 - 1,
    ];
    for (const dod of dods) {
      const base = 2 ** 41; // keeps every delta positive
      const ts = [T0, T0 + base, T0 + base + base + dod];
      const bytes = roundTrip(series(ts, [1, 2, 3]));
      expect(bytes.length).toBeGreaterThan(0);
    }
  });
});

describe("XorChunk round trips", () => {
  it("regular 15s scrape of a counter", () => {
    const ts = Array.from({ length: 120 }, (_, i) => T0 + i * 15_000);
    const vs = ts.map((_, i) => 1000 + i * 37);
    const bytes = roundTrip(series(ts, vs));
    // Constant dod and small counter steps are cheap.
    expect(bytes.length / 120).toBeLessThan(2.5);
  });

  it("jittered timestamps and a gauge", () => {
    let t = T0;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < 120; i++) {
      ts.push(t);
      vs.push(8_000_000_000 - ((i * 7919) % 97) * 4096);
      t += 15_000 + ((i * 31) % 7) - 3;
    }
    roundTrip(series(ts, vs));
  });

  it("constant values cost about one bit per value", () => {
    const ts = Array.from({ length: 120 }, (_, i) => T0 + i * 15_000);
    const bytes = roundTrip(series(ts, [42]));
    // header 2 + varint 6 + value 8 + uvarint 3, then 2 bits per sample.
    expect(bytes.length).toBeLessThanOrEqual(2 + 6 + 8 + 3 + Math.ceil((118 * 2 + 1) / 8));
  });

  it("special values survive bit for bit", () => {
    const specials = [
      0, -0, NaN, Infinity, -Infinity, STALE_NAN, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE,
      -Number.MIN_VALUE, 2.2250738585072014e-308, 1e-300, 1e300, 0.1, 1 / 3, -1, 1, 2 ** 53,
    ];
    const ts = Array.from({ length: specials.length * 3 }, (_, i) => T0 + i * 15_000);
    const samples = ts.map((t, i) => ({ t, bits: bitsOf(specials[(i * 7) % specials.length]!) }));
    roundTrip(samples);
    // Hand-made NaN payloads, quiet and signalling, both signs.
    const nans = ["7ff8000000000001", "7ff0000000000001", "fff0000000000002", "7fffffffffffffff", "fff8dead0000beef"];
    roundTrip(nans.map((bits, i) => ({ t: T0 + i, bits })));
  });

  it("stale markers are recognised after decoding", () => {
    const c = new XorChunk();
    c.append(T0, 5);
    c.append(T0 + 15_000, STALE_NAN);
    c.append(T0 + 30_000, 6);
    c.append(T0 + 45_000, NaN);
    const it = c.iterator();
    const stale: boolean[] = [];
    while (it.next()) stale.push(isStaleNaN(it.v));
    expect(stale).toEqual([false, true, false, false]);
  });

  it("large timestamp gaps and negative timestamps", () => {
    roundTrip(series([-5_000_000_000_000, -1, 0, 1, 86_400_000 * 365 * 100, Number.MAX_SAFE_INTEGER], [1, 2]));
    roundTrip(series([Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER + 1, 0], [3]));
  });

  it("single sample and two samples", () => {
    roundTrip(series([T0], [1.5]));
    roundTrip(series([T0, T0 + 1], [1.5, -2.5]));
  });
});

describe("XorChunk append validation", () => {
  it("rejects equal and older timestamps", () => {
    const c = new XorChunk();
    c.append(T0, 1);
    expect(() => c.append(T0, 2)).toThrow(OutOfOrderSampleError);
    expect(() => c.append(T0 - 1, 2)).toThrow(OutOfOrderSampleError);
    c.append(T0 + 1, 2);
    expect(() => c.append(T0 + 1, 3)).toThrow(OutOfOrderSampleError);
    // A rejected append leaves the chunk untouched.
    expect(viaIterator(c.bytes())).toEqual(series([T0, T0 + 1], [1, 2]));
  });

  it("rejects timestamps that are not safe integers", () => {
    const c = new XorChunk();
    expect(() => c.append(1.5, 1)).toThrow(RangeError);
    expect(() => c.append(NaN, 1)).toThrow(RangeError);
    expect(() => c.append(2 ** 53, 1)).toThrow(RangeError);
    c.append(Number.MIN_SAFE_INTEGER, 1);
    // The delta would exceed 2^53.
    expect(() => c.append(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
  });

  it("holds at most 65535 samples", () => {
    const c = new XorChunk();
    for (let i = 0; i < MAX_SAMPLES_PER_CHUNK; i++) c.append(i, i & 7);
    expect(() => c.append(MAX_SAMPLES_PER_CHUNK, 0)).toThrow(RangeError);
    const { ts } = decodeXor(c.bytes());
    expect(ts.length).toBe(MAX_SAMPLES_PER_CHUNK);
    expect(ts[MAX_SAMPLES_PER_CHUNK - 1]).toBe(MAX_SAMPLES_PER_CHUNK - 1);
  });
});

const sampleArb = (maxLength: number) =>
  fc
    .tuple(
      fc.maxSafeInteger(),
      fc.array(
        fc.tuple(
          fc.oneof(
            fc.integer({ min: 1, max: 30_000 }),
            fc.integer({ min: 14_990, max: 15_010 }),
            fc.integer({ min: 1, max: 2 ** 45 }),
          ),
          fc.oneof(
            fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })),
            fc.double().map((d) => [parseInt(bitsOf(d).slice(0, 8), 16), parseInt(bitsOf(d).slice(8), 16)] as const),
            fc.constantFrom([0x7ff00000, 2] as const, [0, 0] as const, [0x3ff00000, 0] as const),
          ),
        ),
        { maxLength },
      ),
    )
    .map(([start, steps]) => {
      const out: S[] = [];
      let t = Math.max(Number.MIN_SAFE_INTEGER, Math.min(start, Number.MAX_SAFE_INTEGER - 2 ** 46 * (maxLength + 1)));
      for (const [dt, [hi, lo]] of steps) {
        out.push({ t, bits: hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0") });
        t += dt;
      }
      return out;
    });

describe("XorChunk properties", () => {
  it("arbitrary increasing timestamps and float64 bits survive exactly", () => {
    holds(
      fc.property(sampleArb(150), (samples) => {
        roundTrip(samples);
      }),
      { numRuns: 300 },
    );
  });

  it("reopen-and-append equals single-pass encoding", () => {
    holds(
      fc.property(sampleArb(60), fc.nat(), (samples, cut) => {
        const k = samples.length === 0 ? 0 : cut % (samples.length + 1);
        const whole = encode(samples).bytes().slice();
        const first = encode(samples.slice(0, k)).bytes().slice();
        const reopened = XorChunk.open(first);
        expect(reopened.numSamples()).toBe(k);
        for (const s of samples.slice(k)) reopened.append(s.t, fromBits(s.bits));
        expect([...reopened.bytes()]).toEqual([...whole]);
        if (samples.length > 0) {
          expect(reopened.minTime()).toBe(samples[0]!.t);
          expect(reopened.maxTime()).toBe(samples[samples.length - 1]!.t);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("reopening does not modify the caller's bytes", () => {
    const c = encode(series([T0, T0 + 15_000, T0 + 30_001], [1, 2, 3]));
    const orig = c.bytes().slice();
    const copy = orig.slice();
    const re = XorChunk.open(orig);
    re.append(T0 + 45_000, 4);
    expect([...orig]).toEqual([...copy]);
  });

  it("reopen still rejects older timestamps", () => {
    const c = XorChunk.open(encode(series([T0, T0 + 10], [1])).bytes());
    expect(() => c.append(T0 + 10, 1)).toThrow(OutOfOrderSampleError);
  });
});

describe("XorIterator", () => {
  const ts = Array.from({ length: 120 }, (_, i) => T0 + i * 15_000);
  const c = encode(series(ts, [1, 2, 3, 4]));

  it("seek moves to the first sample at or after t", () => {
    const it = c.iterator();
    expect(it.seek(T0 + 20_000)).toBe(true);
    expect(it.t).toBe(T0 + 30_000);
    expect(it.at()).toEqual({ t: T0 + 30_000, v: 3 });
    // Exact hit.
    expect(it.seek(T0 + 45_000)).toBe(true);
    expect(it.t).toBe(T0 + 45_000);
    // Never backwards: an earlier target keeps the current sample.
    expect(it.seek(T0)).toBe(true);
    expect(it.t).toBe(T0 + 45_000);
    expect(it.next()).toBe(true);
    expect(it.t).toBe(T0 + 60_000);
    // Past the end.
    expect(it.seek(T0 + 120 * 15_000)).toBe(false);
    expect(it.next()).toBe(false);
  });

  it("seek before the first sample lands on it; seek on a fresh iterator", () => {
    const it = c.iterator();
    expect(it.seek(-Infinity)).toBe(true);
    expect(it.t).toBe(T0);
    const empty = new XorChunk().iterator();
    expect(empty.seek(0)).toBe(false);
  });

  it("seek agrees with a linear scan (property)", () => {
    holds(
      fc.property(fc.array(fc.integer({ min: T0 - 10_000, max: T0 + 2_000_000 }), { maxLength: 10 }), (targets) => {
        const it = c.iterator();
        let idx = -1;
        for (const target of targets) {
          // Reference: never go back, then the first index >= target.
          let j = Math.max(idx, 0);
          if (idx >= 0 && ts[idx]! >= target) j = idx;
          else while (j < ts.length && ts[j]! < target) j++;
          const ok = it.seek(target);
          expect(ok).toBe(j < ts.length);
          if (!ok) return;
          idx = j;
          expect(it.t).toBe(ts[j]);
        }
      }),
    );
  });

  it("is not disturbed by later appends", () => {
    const chunk = encode(series([T0, T0 + 15_000], [1, 2]));
    const it = chunk.iterator();
    for (let i = 2; i < 200; i++) chunk.append(T0 + i * 15_000, i);
    const got: number[] = [];
    while (it.next()) got.push(it.v);
    expect(got).toEqual([1, 2]);
  });

  it("reports its length", () => {
    expect(c.iterator().length).toBe(120);
  });
});

describe("corrupt chunks", () => {
  const good = encode(
    series(
      Array.from({ length: 50 }, (_, i) => T0 + i * 15_000 + (i % 3)),
      [1.5, 7.25, 1e10, -3],
    ),
  )
    .bytes()
    .slice();

  it("a header without the body is truncated", () => {
    expect(() => viaIterator(Uint8Array.of(0, 5))).toThrow(ChunkCorruptError);
    expect(() => decodeXor(Uint8Array.of(0, 5))).toThrow(ChunkCorruptError);
    expect(() => new XorIterator(Uint8Array.of(1))).toThrow(ChunkCorruptError);
  });

  it("every truncation throws rather than returning garbage silently", () => {
    // A trailing padding byte (see xor.ts) may be dropped harmlessly; every other cut
    // loses bits of the last sample.
    const dataLen = Math.ceil(new XorIterator(good).endState().bitPos / 8);
    for (let len = 2; len < dataLen; len++) {
      const cut = good.subarray(0, len);
      expect(() => viaIterator(cut)).toThrow(ChunkCorruptError);
      expect(() => decodeXor(cut)).toThrow(ChunkCorruptError);
      expect(() => XorChunk.open(cut)).toThrow(ChunkCorruptError);
    }
  });

  it("random bytes never hang and fail only with ChunkCorruptError", () => {
    holds(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        for (const f of [() => viaIterator(bytes), () => decodeXor(bytes)]) {
          try {
            f();
          } catch (e) {
            expect(e).toBeInstanceOf(ChunkCorruptError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("the iterator and the bulk decoder agree on random bytes", () => {
    holds(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 200 }), (bytes) => {
        let a: S[] | string;
        let b: S[] | string;
        try {
          a = viaIterator(bytes);
        } catch {
          a = "error";
        }
        try {
          b = viaBulk(bytes);
        } catch {
          b = "error";
        }
        expect(b).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });
});

describe("decodeXorInto", () => {
  it("concatenates chunks into one pair of arrays", () => {
    const a = encode(series([1, 2, 3], [1])).bytes().slice();
    const b = encode(series([4, 5], [2])).bytes().slice();
    const ts = new Float64Array(5);
    const vs = new Float64Array(5);
    let n = decodeXorInto(a, ts, vs, 0);
    n += decodeXorInto(b, ts, vs, n);
    expect(n).toBe(5);
    expect([...ts]).toEqual([1, 2, 3, 4, 5]);
    expect([...vs]).toEqual([1, 1, 1, 2, 2]);
    expect(() => decodeXorInto(a, ts, vs, 3)).toThrow(RangeError);
  });
});
