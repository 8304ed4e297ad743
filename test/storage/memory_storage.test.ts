import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey, type Labels } from "../../src/model/labels.js";
import { newMatcher, type Matcher } from "../../src/model/matchers.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import type { Series } from "../../src/storage/storage.js";

const ALL = { start: -Infinity, end: Infinity };

function ls(rec: Record<string, string>): Labels {
  return labelsFromRecord(rec);
}

const dv = new DataView(new ArrayBuffer(8));
function bitsOf(v: number): string {
  dv.setFloat64(0, v);
  return dv.getUint32(0).toString(16).padStart(8, "0") + dv.getUint32(4).toString(16).padStart(8, "0");
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function select(st: MemoryStorage, ms: Matcher[], hints = ALL): Promise<{ labels: string; ts: number[]; vs: number[] }[]> {
  const out = await collect<Series>(st.querier().select(ms, hints));
  return out.map((s) => ({ labels: labelsKey(s.labels), ts: [...s.ts], vs: [...s.vs] }));
}

const name = (n: string) => newMatcher("=", "__name__", n);

async function seeded(): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  app.append(ls({ __name__: "up", job: "b" }), 0, 1);
  app.append(ls({ __name__: "up", job: "a" }), 0, 2);
  app.append(ls({ __name__: "up", job: "a" }), 10, 3);
  app.append(ls({ __name__: "up", job: "a", zone: "z1" }), 20, 4);
  app.append(ls({ __name__: "down", job: "a" }), 30, 5);
  const r = await app.commit();
  expect(r).toEqual({ appended: 5, outOfOrderAccepted: 0, rejected: 0, rejections: [] });
  return st;
}

describe("MemoryStorage appender", () => {
  it("makes samples visible only on commit and discards them on rollback", async () => {
    const st = new MemoryStorage();
    const app = st.appender();
    app.append(ls({ __name__: "m" }), 1000, 1);
    expect(await select(st, [name("m")])).toEqual([]);
    app.rollback();
    expect(await app.commit()).toEqual({ appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] });
    expect(await select(st, [name("m")])).toEqual([]);
    app.append(ls({ __name__: "m" }), 2000, 2);
    await app.commit();
    expect(await select(st, [name("m")])).toEqual([{ labels: labelsKey(ls({ __name__: "m" })), ts: [2000], vs: [2] }]);
  });

  it("rejects out-of-order samples with their skew and applies the rest", async () => {
    const st = new MemoryStorage();
    const s = ls({ __name__: "m" });
    let app = st.appender();
    app.append(s, 100, 1);
    app.append(s, 200, 2);
    await app.commit();
    app = st.appender();
    app.append(s, 150, 9);
    app.append(s, 300, 3);
    const r = await app.commit();
    expect(r.appended).toBe(1);
    expect(r.rejected).toBe(1);
    expect(r.rejections).toEqual([{ series: labelsKey(s), t: 150, reason: "out_of_order", skewMs: 50 }]);
    expect(await select(st, [name("m")])).toEqual([{ labels: labelsKey(s), ts: [100, 200, 300], vs: [1, 2, 3] }]);
  });

  it("rejects out-of-order samples within one batch too", async () => {
    const st = new MemoryStorage();
    const s = ls({ __name__: "m" });
    const app = st.appender();
    app.append(s, 200, 2);
    app.append(s, 100, 1);
    const r = await app.commit();
    expect(r.appended).toBe(1);
    expect(r.rejections[0]).toMatchObject({ t: 100, reason: "out_of_order", skewMs: 100 });
  });

  it("ignores an identical sample at the newest timestamp and rejects a different value as duplicate", async () => {
    const st = new MemoryStorage();
    const s = ls({ __name__: "m" });
    let app = st.appender();
    app.append(s, 100, 1);
    await app.commit();
    app = st.appender();
    app.append(s, 100, 1);
    expect(await app.commit()).toEqual({ appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] });
    app = st.appender();
    app.append(s, 100, 2);
    const r = await app.commit();
    expect(r.rejected).toBe(1);
    expect(r.rejections[0]).toEqual({ series: labelsKey(s), t: 100, reason: "duplicate", skewMs: 0 });
    expect(await select(st, [name("m")])).toEqual([{ labels: labelsKey(s), ts: [100], vs: [1] }]);
  });

  it("treats NaN and the stale marker as different values at the same timestamp", async () => {
    const st = new MemoryStorage();
    const s = ls({ __name__: "m" });
    let app = st.appender();
    app.append(s, 100, STALE_NAN);
    await app.commit();
    app = st.appender();
    app.append(s, 100, STALE_NAN);
    expect((await app.commit()).rejected).toBe(0);
    app = st.appender();
    app.append(s, 100, NaN);
    expect((await app.commit()).rejections[0]?.reason).toBe("duplicate");
  });

  it("keeps the stale marker's exact bits", async () => {
    const st = new MemoryStorage();
    const app = st.appender();
    app.append(ls({ __name__: "m" }), 0, 1);
    app.append(ls({ __name__: "m" }), 10, STALE_NAN);
    app.append(ls({ __name__: "m" }), 20, NaN);
    await app.commit();
    const [s] = await collect(st.querier().select([name("m")], ALL));
    expect(bitsOf(s!.vs[1]!)).toBe("7ff0000000000002");
    expect(bitsOf(s!.vs[2]!)).toBe(bitsOf(NaN));
  });

  it("refuses series without labels and non-finite timestamps", () => {
    const app = new MemoryStorage().appender();
    expect(() => app.append([], 0, 1)).toThrow(/without labels/);
    expect(() => app.append(ls({ __name__: "m" }), NaN, 1)).toThrow(/timestamp/);
  });

  it("does not keep a series whose only samples were rejected", async () => {
    const st = new MemoryStorage();
    const s = ls({ __name__: "m" });
    let app = st.appender();
    app.append(s, 100, 1);
    await app.commit();
    app = st.appender();
    app.append(s, 50, 1);
    app.append(ls({ __name__: "other" }), 10, 1);
    await app.commit();
    expect((await st.stats()).series).toBe(2);
  });
});

describe("MemoryStorage querier", () => {
  it("returns matching series sorted by labels with samples restricted to [start, end]", async () => {
    const st = await seeded();
    expect(await select(st, [name("up")])).toEqual([
      { labels: labelsKey(ls({ __name__: "up", job: "a" })), ts: [0, 10], vs: [2, 3] },
      { labels: labelsKey(ls({ __name__: "up", job: "a", zone: "z1" })), ts: [20], vs: [4] },
      { labels: labelsKey(ls({ __name__: "up", job: "b" })), ts: [0], vs: [1] },
    ]);
    // Inclusive bounds on both ends; series without samples in range are left out.
    expect(await select(st, [name("up")], { start: 10, end: 20 })).toEqual([
      { labels: labelsKey(ls({ __name__: "up", job: "a" })), ts: [10], vs: [3] },
      { labels: labelsKey(ls({ __name__: "up", job: "a", zone: "z1" })), ts: [20], vs: [4] },
    ]);
    expect(await select(st, [name("up")], { start: 1, end: 9 })).toEqual([]);
    expect(await select(st, [name("up")], { start: 20, end: 10 })).toEqual([]);
  });

  it("honours all matcher types, including matching a missing label with an empty value", async () => {
    const st = await seeded();
    const keys = async (ms: Matcher[]) => (await select(st, ms)).map((s) => s.labels);
    expect(await keys([newMatcher("=", "job", "a")])).toEqual([
      labelsKey(ls({ __name__: "down", job: "a" })),
      labelsKey(ls({ __name__: "up", job: "a" })),
      labelsKey(ls({ __name__: "up", job: "a", zone: "z1" })),
    ]);
    expect(await keys([name("up"), newMatcher("!=", "job", "a")])).toEqual([labelsKey(ls({ __name__: "up", job: "b" }))]);
    expect(await keys([newMatcher("=~", "__name__", "u.*"), newMatcher("=", "zone", "")])).toEqual([
      labelsKey(ls({ __name__: "up", job: "a" })),
      labelsKey(ls({ __name__: "up", job: "b" })),
    ]);
    expect(await keys([newMatcher("!~", "__name__", "up"), newMatcher("=~", "job", "a|b")])).toEqual([labelsKey(ls({ __name__: "down", job: "a" }))]);
    expect(await keys([name("missing")])).toEqual([]);
    expect((await keys([])).length).toBe(4);
  });

  it("hands out copies of the sample arrays", async () => {
    const st = await seeded();
    const [s] = await collect(st.querier().select([name("down")], ALL));
    s!.vs[0] = 99;
    const app = st.appender();
    app.append(ls({ __name__: "down", job: "a" }), 40, 6);
    await app.commit();
    expect(s!.ts.length).toBe(1);
    expect(await select(st, [name("down")])).toEqual([{ labels: labelsKey(ls({ __name__: "down", job: "a" })), ts: [30, 40], vs: [5, 6] }]);
  });

  it("lists series, label names and label values for matchers and time ranges", async () => {
    const st = await seeded();
    const q = st.querier();
    expect((await collect(q.series([name("up")], { start: 15, end: 100 }))).map(labelsKey)).toEqual([labelsKey(ls({ __name__: "up", job: "a", zone: "z1" }))]);
    expect(await q.labelNames([], ALL)).toEqual(["__name__", "job", "zone"]);
    expect(await q.labelNames([name("up")], { start: 0, end: 10 })).toEqual(["__name__", "job"]);
    expect(await q.labelValues("job", [], ALL)).toEqual(["a", "b"]);
    expect(await q.labelValues("__name__", [newMatcher("=", "job", "a")], { start: 25, end: 30 })).toEqual(["down"]);
    expect(await q.labelValues("zone", [name("down")], ALL)).toEqual([]);
  });
});

describe("MemoryStorage stats", () => {
  it("counts series, samples and rejections", async () => {
    const st = await seeded();
    const app = st.appender();
    app.append(ls({ __name__: "up", job: "b" }), -5, 1);
    app.append(ls({ __name__: "up", job: "b" }), 0, 7);
    await app.commit();
    const s = await st.stats();
    expect(s).toMatchObject({
      series: 4,
      headSamples: 5,
      samplesAppended: 5,
      outOfOrderRejected: 1,
      duplicateRejected: 1,
      tooOldRejected: 0,
      chunks: 0,
      oldestSampleMs: 0,
    });
    expect(s.recentRejections.map((r) => r.reason)).toEqual(["out_of_order", "duplicate"]);
    expect((await new MemoryStorage().stats()).oldestSampleMs).toBeNull();
  });
});
