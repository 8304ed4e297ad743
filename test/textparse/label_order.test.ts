import { describe, expect, it } from "vitest";
import { ParseError, parseExposition, type SampleEntry } from "../../src/textparse/index.js";
import { bestTime } from "../support/growth.js";

// Found by test/fuzz/exposition.test.ts: each label was inserted into sorted position
// by scanning back from the end, so a line whose labels came in reverse order cost
// time quadratic in the label count (9,000 labels: seconds instead of milliseconds).
describe("label sets in any order", () => {
  const line = (names: string[]) => `x{${names.map((n) => `${n}="v"`).join(",")}} 1\n`;
  const names = (n: number) => Array.from({ length: n }, (_, i) => `l${String(i).padStart(5, "0")}`);

  it("come out sorted by name, whatever order they were written in", () => {
    for (const format of ["text", "openmetrics"] as const) {
      const [e] = parseExposition(line(["b", "__x", "a", "c", "B"]) + (format === "openmetrics" ? "# EOF\n" : ""), format) as SampleEntry[];
      expect(e!.labels.map((l) => l.name)).toEqual(["B", "__name__", "__x", "a", "b", "c"]);
    }
  });

  it("reject a repeated name at its second occurrence, in order or not", () => {
    const at = (text: string) => {
      try {
        parseExposition(text, "text");
      } catch (e) {
        if (e instanceof ParseError) return [e.column, e.reason];
        throw e;
      }
      return undefined;
    };
    expect(at('x{a="1",a="2"} 1\n')).toEqual([9, 'duplicate label name "a"']);
    expect(at('x{b="1",a="2",b="3"} 1\n')).toEqual([15, 'duplicate label name "b"']);
    expect(at('x{b="1",__name__="y"} 1\n')).toEqual([9, 'duplicate label name "__name__"']);
    expect(at('x{__name__="y"} 1\n')).toEqual([3, 'duplicate label name "__name__"']);
  });

  it("cost about the same in reverse order as in order", () => {
    // Sorting by insertion from the back made reverse order quadratic: 50,000 labels
    // took seconds, over a hundred times the in-order line. Linear work in either
    // order stays within a small factor (2-12x measured, GC being most of it).
    const n = 50_000;
    const forward = line(names(n));
    const reverse = line(names(n).reverse());
    const inOrder = bestTime(() => parseExposition(forward, "text"));
    expect(bestTime(() => parseExposition(reverse, "text"))).toBeLessThan(Math.max(inOrder, 1) * 40);
  });
});
