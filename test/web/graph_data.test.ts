import { describe, expect, it } from "vitest";
import { alignSeries, isolatedPoints, legendClick, seriesColor, stackColumns } from "../../src/web/client/query/graph_data.js";

describe("graph columns", () => {
  const start = 1_700_000_000_000;
  it("puts every series on the range query's step grid, gaps as null", () => {
    const cols = alignSeries(
      [
        { metric: { job: "a" }, values: [[start / 1000, "1"], [start / 1000 + 30, "3"]] },
        { metric: { job: "b" }, values: [[start / 1000 + 15, "NaN"], [start / 1000 + 30, "+Inf"], [start / 1000 + 45, "2.5"]] },
      ],
      start,
      start + 45_000,
      15_000,
    );
    expect(cols.xs).toEqual([start / 1000, start / 1000 + 15, start / 1000 + 30, start / 1000 + 45]);
    expect(cols.ys).toEqual([
      [1, null, 3, null],
      [null, null, null, 2.5],
    ]);
  });

  it("keeps sub-second steps on the grid despite float seconds", () => {
    const cols = alignSeries([{ metric: {}, values: [[(start + 300) / 1000, "7"]] }], start, start + 900, 100);
    expect(cols.xs).toHaveLength(10);
    expect(cols.ys[0]![3]).toBe(7);
  });

  it("stacks the visible series bottom-up; a gap adds nothing", () => {
    const ys = [
      [1, 2, null],
      [10, null, 30],
      [100, 200, 300],
    ];
    expect(stackColumns(ys, [true, true, true])).toEqual([
      [1, 2, null],
      [11, null, 30],
      [111, 202, 330],
    ]);
    expect(stackColumns(ys, [true, false, true])).toEqual([
      [1, 2, null],
      [10, null, 30],
      [101, 202, 300],
    ]);
  });
});

describe("legend clicks", () => {
  it("shows only the clicked series, and all again on a second click", () => {
    const one = legendClick([true, true, true], 1, false);
    expect(one).toEqual([false, true, false]);
    expect(legendClick(one, 1, false)).toEqual([true, true, true]);
    expect(legendClick(one, 2, false)).toEqual([false, false, true]);
  });

  it("toggles one series with Ctrl or Cmd", () => {
    expect(legendClick([true, true, true], 0, true)).toEqual([false, true, true]);
    expect(legendClick([false, true, true], 0, true)).toEqual([true, true, true]);
  });

  it("gives neighbouring series different colours", () => {
    const colours = new Set(Array.from({ length: 20 }, (_, i) => seriesColor(i)));
    expect(colours.size).toBe(20);
  });
});

describe("isolated points", () => {
  it("finds samples without a neighbour, which a line would not show", () => {
    expect(isolatedPoints([null, 1, null, 2, 3, null, null, 4])).toEqual([1, 7]);
    expect(isolatedPoints([5])).toEqual([0]);
    expect(isolatedPoints([1, 2])).toEqual([]);
    expect(isolatedPoints([])).toEqual([]);
  });
});
