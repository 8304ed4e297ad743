import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareLabels,
  formatSeries,
  labelsEqual,
  labelsFromKey,
  labelsFromRecord,
  labelsKey,
  labelsToString,
  LabelsBuilder,
} from "../../src/model/labels.js";
import { holds } from "../support/property.js";

describe("labels", () => {
  it("sorts by name and drops empty values", () => {
    expect(labelsFromRecord({ job: "a", __name__: "up", empty: "" })).toEqual([
      { name: "__name__", value: "up" },
      { name: "job", value: "a" },
    ]);
  });

  it("round-trips through the key for any label set", () => {
    const rec = fc.dictionary(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/), fc.string({ minLength: 1, maxLength: 20 }));
    holds(
      fc.property(rec, (r) => {
        const ls = labelsFromRecord(r);
        expect(labelsEqual(labelsFromKey(labelsKey(ls)), ls)).toBe(true);
      }),
    );
  });

  it("orders label sets the way Prometheus does (name, then value, then length)", () => {
    const a = labelsFromRecord({ a: "1" });
    const ab = labelsFromRecord({ ab: "1" });
    const a2 = labelsFromRecord({ a: "1", b: "2" });
    expect(compareLabels(a, ab)).toBeLessThan(0);
    expect(compareLabels(a, a2)).toBeLessThan(0);
    expect(compareLabels(a2, a2)).toBe(0);
  });

  it("prints like Prometheus", () => {
    const ls = labelsFromRecord({ __name__: "up", job: 'a"b\\c\nd' });
    expect(labelsToString(ls)).toBe('{__name__="up", job="a\\"b\\\\c\\nd"}');
    expect(formatSeries(ls)).toBe('up{job="a\\"b\\\\c\\nd"}');
    expect(formatSeries(labelsFromRecord({ __name__: "up" }))).toBe("up");
  });

  it("builds label sets by setting and deleting", () => {
    const ls = new LabelsBuilder(labelsFromRecord({ a: "1", b: "2" })).set("c", "3").del("a").set("b", "").labels();
    expect(ls).toEqual([{ name: "c", value: "3" }]);
  });
});

