import { describe, expect, it } from "vitest";
import { SeriesList } from "../../src/scrape/series_list.js";

describe("SeriesList", () => {
  it("hands back the previous array when the same keys come in the same order", () => {
    const prev = ["a", "b", "c"];
    const l = new SeriesList(prev);
    for (const k of ["a", "b", "c"]) l.push(k);
    expect(l.keys()).toBe(prev);
  });

  it("copies once a key differs, keeping the matched prefix", () => {
    const prev = ["a", "b", "c"];
    const l = new SeriesList(prev);
    for (const k of ["a", "x", "c"]) l.push(k);
    expect(l.keys()).toEqual(["a", "x", "c"]);
    expect(prev).toEqual(["a", "b", "c"]);
  });

  it("gives a new array for a prefix of the previous keys, and for more keys", () => {
    expect(pushAll(["a", "b", "c"], ["a", "b"])).toEqual(["a", "b"]);
    expect(pushAll(["a"], ["a", "b"])).toEqual(["a", "b"]);
    const prev = ["a", "b"];
    const l = new SeriesList(prev);
    l.push("a");
    expect(l.keys()).not.toBe(prev);
  });

  it("takes a replaced list as is, or the previous array when it has the same keys", () => {
    const prev = ["a", "b"];
    const l = new SeriesList(prev);
    l.push("z");
    l.reset(["a", "b"]);
    expect(l.keys()).toBe(prev);
    const other = ["b", "a"];
    l.reset(other);
    expect(l.keys()).toBe(other);
    l.reset([]);
    expect(l.keys()).toEqual([]);
  });
});

function pushAll(prev: string[], keys: string[]): string[] {
  const l = new SeriesList(prev);
  for (const k of keys) l.push(k);
  return l.keys();
}
