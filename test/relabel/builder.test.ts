import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord } from "../../src/model/labels.js";
import { RelabelBuilder } from "../../src/relabel/builder.js";
import { holds } from "../support/property.js";

describe("RelabelBuilder (labels.Builder semantics)", () => {
  it("returns the base itself when nothing changed, or changes cancel out", () => {
    const base = labelsFromRecord({ a: "1", b: "2" });
    const lb = new RelabelBuilder(base);
    expect(lb.labels()).toBe(base);
    lb.set("a", "1");
    lb.delete("missing");
    expect(lb.labels()).toBe(base);
    lb.set("a", "x");
    lb.set("a", "1");
    expect(lb.labels()).toBe(base);
  });

  it("honours a Set after a Del (the bug fixed in Prometheus 2.43.1)", () => {
    const lb = new RelabelBuilder(labelsFromRecord({ a: "1", b: "2" }));
    lb.delete("a");
    expect(lb.get("a")).toBe("");
    lb.set("a", "3");
    expect(lb.get("a")).toBe("3");
    expect(labelsToRecord(lb.labels())).toEqual({ a: "3", b: "2" });
    lb.set("b", "");
    expect(labelsToRecord(lb.labels())).toEqual({ a: "3" });
  });

  it("iterates base labels in force first, then additions in insertion order, over a snapshot", () => {
    const lb = new RelabelBuilder(labelsFromRecord({ a: "1", b: "2", c: "3" }));
    lb.set("z", "26");
    lb.set("b", "two");
    lb.delete("c");
    const seen: string[] = [];
    lb.range((l) => {
      seen.push(`${l.name}=${l.value}`);
      lb.set("new_" + l.name, l.value);
      lb.delete("a");
    });
    expect(seen).toEqual(["a=1", "z=26", "b=two"]);
  });

  it("produces sorted label sets equal to applying the operations to a map", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), name: fc.constantFrom("a", "b", "c", "d", "e"), value: fc.constantFrom("", "1", "2") }),
      fc.record({ kind: fc.constant("del" as const), name: fc.constantFrom("a", "b", "c", "d", "e") }),
    );
    holds(
      fc.property(fc.dictionary(fc.constantFrom("a", "b", "c", "d", "e"), fc.constantFrom("1", "2")), fc.array(op, { maxLength: 12 }), (start, ops) => {
        const base = labelsFromRecord(start);
        const lb = new RelabelBuilder(base);
        const model = new Map(Object.entries(start));
        for (const o of ops) {
          if (o.kind === "set" && o.value !== "") {
            lb.set(o.name, o.value);
            model.set(o.name, o.value);
          } else {
            if (o.kind === "set") lb.set(o.name, "");
            else lb.delete(o.name);
            model.delete(o.name);
          }
          expect(lb.get(o.name)).toBe(model.get(o.name) ?? "");
        }
        const out = lb.labels();
        expect(out).toEqual(labelsFromRecord(Object.fromEntries(model)));
        if (JSON.stringify(out) === JSON.stringify(base)) expect(out).toBe(base);
      }),
      { numRuns: 500 },
    );
  });
});
