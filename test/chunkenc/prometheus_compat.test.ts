import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { XorChunk, XorIterator, decodeXor } from "../../src/chunkenc/index.js";
import { openMetricsInput } from "./fixtures/make_prometheus_chunks.js";

// Chunks written by Prometheus 2.42 itself (see fixtures/make_prometheus_chunks.ts).
const fixture = JSON.parse(readFileSync(new URL("./fixtures/prometheus_chunks.json", import.meta.url), "utf8")) as {
  generator: string;
  chunks: Array<{ encoding: number; hex: string }>;
};

interface Point {
  t: number;
  v: number;
}

function parseInput(): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const line of openMetricsInput().split("\n")) {
    const m = /^fixture\{series="(\d+)"\} (\S+) (\d+)\.(\d{3})$/.exec(line);
    if (!m) continue;
    const v = m[2] === "+Inf" ? Infinity : m[2] === "-Inf" ? -Infinity : Number(m[2]);
    const pts = out.get(m[1]!) ?? [];
    pts.push({ t: Number(m[3]) * 1000 + Number(m[4]), v });
    out.set(m[1]!, pts);
  }
  return out;
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe("compatibility with Prometheus' XOR chunks", () => {
  const input = parseInput();
  const chunks = fixture.chunks.map((c) => ({ encoding: c.encoding, bytes: Uint8Array.from(Buffer.from(c.hex, "hex")) }));

  it("the fixture holds XOR chunks", () => {
    expect(chunks.length).toBeGreaterThan(20);
    for (const c of chunks) expect(c.encoding).toBe(1);
  });

  it("decodes every chunk to the samples Prometheus was given", () => {
    let total = 0;
    for (const { bytes } of chunks) {
      const it = new XorIterator(bytes);
      const got: Point[] = [];
      while (it.next()) got.push({ t: it.t, v: it.v });
      expect(got.length).toBeGreaterThan(0);
      // Find the series and position of the chunk's first sample.
      let match: Point[] | undefined;
      for (const pts of input.values()) {
        const k = pts.findIndex((p) => p.t === got[0]!.t && same(p.v, got[0]!.v));
        if (k >= 0) {
          match = pts.slice(k, k + got.length);
          break;
        }
      }
      expect(match).toBeDefined();
      expect(got.length).toBe(match!.length);
      got.forEach((p, i) => {
        expect(p.t).toBe(match![i]!.t);
        expect(same(p.v, match![i]!.v)).toBe(true);
      });
      const bulk = decodeXor(bytes);
      expect([...bulk.ts]).toEqual(got.map((p) => p.t));
      total += got.length;
    }
    expect(total).toBe(4 * 300);
  });

  it("re-encoding produces Prometheus' bytes exactly", () => {
    for (const { bytes } of chunks) {
      const it = new XorIterator(bytes);
      const c = new XorChunk();
      while (it.next()) c.append(it.t, it.v);
      expect(Buffer.from(c.bytes()).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
    }
  });

  it("reopening a Prometheus chunk keeps its bytes, trailing padding byte included", () => {
    let padded = 0;
    for (const { bytes } of chunks) {
      const re = XorChunk.open(bytes);
      expect(Buffer.from(re.bytes()).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
      expect(re.size()).toBe(bytes.length);
      if (Math.ceil(new XorIterator(bytes).endState().bitPos / 8) < bytes.length) padded++;
    }
    // The fixture exercises Prometheus' extra zero byte.
    expect(padded).toBeGreaterThan(0);
  });

  it("reopening a Prometheus chunk part-way and appending the rest gives the same bytes", () => {
    for (const { bytes } of chunks.slice(0, 10)) {
      const { ts, vs } = decodeXor(bytes);
      const half = Math.floor(ts.length / 2);
      const first = new XorChunk();
      for (let i = 0; i < half; i++) first.append(ts[i]!, vs[i]!);
      const re = XorChunk.open(first.bytes());
      for (let i = half; i < ts.length; i++) re.append(ts[i]!, vs[i]!);
      expect(Buffer.from(re.bytes()).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
    }
  });
});
