import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStaleNaN, STALE_NAN } from "../../src/model/sample.js";
import { readWalRecord, WalWriter } from "../../src/tsdb/wal.js";

type Rec = { id: number; samples: [number, number][] } | { id: number; hist: number[] };

function write(recs: readonly Rec[]): Uint8Array {
  const w = new WalWriter();
  for (const r of recs) {
    if ("hist" in r) {
      w.addHistograms(r.id, Uint8Array.from(r.hist));
      continue;
    }
    w.startSeries(r.id);
    for (const [t, v] of r.samples) w.add(t, v);
    w.endSeries();
  }
  return w.take();
}

function read(data: Uint8Array): Rec[] {
  const out: Rec[] = [];
  for (const r of readWalRecord(data)) {
    if (r.histograms !== undefined) out.push({ id: r.id, hist: [...r.histograms] });
    else out.push({ id: r.id, samples: [...r.ts].map((t, i) => [t, r.vs[i]!]) });
  }
  return out;
}

describe("WAL records", () => {
  it("reads back what was written, in order, for any mix of records", () => {
    const rec = fc.oneof(
      fc.record({ id: fc.integer({ min: 1, max: 50 }), samples: fc.array(fc.tuple(fc.constantFrom(1000, 2000, 3000), fc.double({ noNaN: true })), { maxLength: 3 }) }),
      fc.record({ id: fc.integer({ min: 1, max: 50 }), hist: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 40 }), (recs) => {
        const want = recs.filter((r) => !("samples" in r) || r.samples.length > 0);
        // One-sample series sharing a time come back one record each, as written.
        expect(read(write(recs))).toEqual(want);
      }),
    );
  });

  it("reads back series whose ids mostly follow each other (runs, broken anywhere)", () => {
    // Steps of 1 make runs; others (back, forward, the same id) break them.
    const step = fc.oneof({ arbitrary: fc.constant(1), weight: 2 }, { arbitrary: fc.integer({ min: -3, max: 4 }), weight: 1 });
    // Mostly one sample at one time, the case records merge.
    const sample = fc.tuple(fc.constantFrom(1000, 1000, 1000, 2000), fc.double({ noNaN: true }));
    const rec = fc.tuple(step, fc.oneof({ arbitrary: fc.array(sample, { minLength: 1, maxLength: 1 }), weight: 4 }, { arbitrary: fc.array(sample, { minLength: 2, maxLength: 2 }), weight: 1 }));
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 60 }), (steps) => {
        let id = 10;
        const recs: Rec[] = steps.map(([d, samples]) => ({ id: (id = Math.max(1, id + d)), samples }));
        expect(read(write(recs))).toEqual(recs);
      }),
    );
  });

  it("stores a scrape of series with scattered ids (one sample each, one time) in half the bytes", () => {
    const recs: Rec[] = Array.from({ length: 1000 }, (_, i) => ({ id: 3 * i + 1, samples: [[5000, i * 1.5]] }));
    const data = write(recs);
    expect(data.byteLength).toBe((3 + 2 * 1000) * 8);
    expect(read(data)).toEqual(recs);
  });

  it("stores a steady scrape (ids in a row, one sample each, one time) in a quarter of the bytes, stale markers intact", () => {
    const recs: Rec[] = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, samples: [[5000, i === 7 ? STALE_NAN : i * 1.5]] }));
    const data = write(recs);
    expect(data.byteLength).toBe((4 + 1000) * 8);
    const back = read(data);
    expect(back.length).toBe(1000);
    const seventh = back[7] as { samples: [number, number][] };
    expect(isStaleNaN(seventh.samples[0]![1])).toBe(true);
    expect(back.filter((_, i) => i !== 7)).toEqual(recs.filter((_, i) => i !== 7));
  });
});
