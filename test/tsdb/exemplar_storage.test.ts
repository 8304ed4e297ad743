import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey } from "../../src/model/labels.js";
import { newMatcher } from "../../src/model/matchers.js";
import { ExemplarStorage } from "../../src/tsdb/exemplar_storage.js";

const key = (rec: Record<string, string>) => labelsKey(labelsFromRecord(rec));
const ex = (trace: string, v: number, t: number) => ({ labels: [{ name: "trace_id", value: trace }], v, t });
const all = [[newMatcher("=~", "__name__", ".+")]];

describe("ExemplarStorage", () => {
  it("returns each series' exemplars in the range, oldest first, series in label order", () => {
    const s = new ExemplarStorage(10);
    const b = key({ __name__: "req_total", path: "/b" });
    const a = key({ __name__: "req_total", path: "/a" });
    expect(s.add(b, ex("b1", 1, 1000))).toBe("ok");
    expect(s.add(a, ex("a1", 2, 1500))).toBe("ok");
    expect(s.add(b, ex("b2", 3, 2000))).toBe("ok");
    expect(s.add(b, ex("b3", 4, 3000))).toBe("ok");
    const got = s.select(1500, 2500, all);
    expect(got.map((r) => [r.seriesLabels.find((l) => l.name === "path")!.value, r.exemplars.map((e) => e.labels[0]!.value)])).toEqual([
      ["/a", ["a1"]],
      ["/b", ["b2"]],
    ]);
    expect(s.select(0, 10_000, [[newMatcher("=", "path", "/b")]])[0]!.exemplars.map((e) => e.t)).toEqual([1000, 2000, 3000]);
  });

  it("ignores a repeat of the newest exemplar and refuses older or too long ones", () => {
    const s = new ExemplarStorage(10);
    const k = key({ __name__: "x" });
    s.add(k, ex("t", 1, 2000));
    expect(s.add(k, ex("t", 1, 2000))).toBe("duplicate");
    expect(s.add(k, ex("u", 1, 2000))).toBe("out_of_order");
    expect(s.add(k, ex("u", 1, 1000))).toBe("out_of_order");
    expect(s.add(k, ex("x".repeat(121), 1, 3000))).toBe("too_long");
    expect(s.size).toBe(1);
  });

  it("keeps at most its capacity, dropping the oldest of the whole store first", () => {
    const s = new ExemplarStorage(3);
    const a = key({ __name__: "a" });
    const b = key({ __name__: "b" });
    s.add(a, ex("a1", 1, 1)); // evicted first
    s.add(b, ex("b1", 1, 2));
    s.add(a, ex("a2", 1, 3));
    s.add(b, ex("b2", 1, 4)); // takes a1's slot
    s.add(b, ex("b3", 1, 5)); // takes b1's slot
    expect(s.size).toBe(3);
    const got = s.select(-Infinity, Infinity, all).map((r) => r.exemplars.map((e) => e.labels[0]!.value));
    expect(got).toEqual([["a2"], ["b2", "b3"]]);
    s.add(b, ex("b4", 1, 6)); // takes a2's slot: series a is gone
    expect(s.select(-Infinity, Infinity, all).map((r) => r.exemplars.length)).toEqual([3]);
  });

  it("matches a series when any matcher set does", () => {
    const s = new ExemplarStorage(5);
    s.add(key({ __name__: "a" }), ex("1", 1, 1));
    s.add(key({ __name__: "b" }), ex("2", 1, 1));
    s.add(key({ __name__: "c" }), ex("3", 1, 1));
    const got = s.select(0, 10, [[newMatcher("=", "__name__", "a")], [newMatcher("=", "__name__", "c")]]);
    expect(got.map((r) => r.exemplars[0]!.labels[0]!.value)).toEqual(["1", "3"]);
  });
});
