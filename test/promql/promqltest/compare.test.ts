import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../../src/model/labels.js";
import { STALE_NAN } from "../../../src/model/sample.js";
import type { Matrix, Vector } from "../../../src/promql/engine/value.js";
import { almostEqual, checkAnnotations, checkExpectedFailure, compareResult } from "../../../src/promql/promqltest/compare.js";
import { parseScript, type EvalCommand } from "../../../src/promql/promqltest/script.js";

function ev(text: string): EvalCommand {
  const s = parseScript(text);
  expect(s.errors).toEqual([]);
  return s.commands[0] as EvalCommand;
}

function vec(...samples: [Record<string, string>, number][]): Vector {
  return { type: "vector", samples: samples.map(([l, v]) => ({ labels: labelsFromRecord(l), t: 0, v })) };
}

function mat(...series: [Record<string, string>, [number, number][]][]): Matrix {
  return {
    type: "matrix",
    series: series.map(([l, pts]) => ({
      labels: labelsFromRecord(l),
      ts: Float64Array.from(pts.map((p) => p[0])),
      vs: Float64Array.from(pts.map((p) => p[1])),
    })),
  };
}

describe("almostEqual (Prometheus util/almost with epsilon 1e-6)", () => {
  it("allows a relative error below 1e-6 of the sum of magnitudes", () => {
    expect(almostEqual(1, 1 + 1e-7)).toBe(true);
    expect(almostEqual(1, 1 + 1e-5)).toBe(false);
    expect(almostEqual(1e9, 1e9 + 100)).toBe(true);
    expect(almostEqual(1e9, 1e9 + 10_000)).toBe(false);
    expect(almostEqual(-3, -3.000001)).toBe(true);
    expect(almostEqual(1.7976931348623157e308, 1.7976931348623155e308)).toBe(true);
  });

  it("is practically exact around zero", () => {
    expect(almostEqual(0, 0)).toBe(true);
    expect(almostEqual(0, -0)).toBe(true);
    expect(almostEqual(0, 1e-300)).toBe(false);
    expect(almostEqual(0, 5e-324)).toBe(true);
  });

  it("treats NaN as equal to NaN, and the stale marker only as equal to itself", () => {
    expect(almostEqual(NaN, NaN)).toBe(true);
    expect(almostEqual(NaN, 1)).toBe(false);
    expect(almostEqual(STALE_NAN, STALE_NAN)).toBe(true);
    expect(almostEqual(STALE_NAN, NaN)).toBe(false);
    expect(almostEqual(NaN, STALE_NAN)).toBe(false);
  });

  it("compares infinities exactly", () => {
    expect(almostEqual(Infinity, Infinity)).toBe(true);
    expect(almostEqual(-Infinity, -Infinity)).toBe(true);
    expect(almostEqual(Infinity, -Infinity)).toBe(false);
    expect(almostEqual(Infinity, 1e308)).toBe(false);
  });
});

describe("compareResult on vectors", () => {
  const e = ev('eval instant at 0 x\n  {job="a"} 1\n  {job="b"} NaN\n');

  it("matches series by exact label set in any order", () => {
    expect(compareResult(e, vec([{ job: "b" }, NaN], [{ job: "a" }, 1.0000001]))).toBeNull();
  });

  it("fails on a wrong value, an extra series, a missing series or extra labels", () => {
    expect(compareResult(e, vec([{ job: "a" }, 2], [{ job: "b" }, NaN]))).toBe('expected 1 for {job="a"} but got 2');
    expect(compareResult(e, vec([{ job: "a" }, 1], [{ job: "b" }, NaN], [{ job: "c" }, 1]))).toMatch(/^unexpected series \{job="c"\} 1 in result/);
    expect(compareResult(e, vec([{ job: "a" }, 1]))).toMatch(/^expected series \{job="b"\} NaN not found/);
    expect(compareResult(e, vec([{ job: "a", x: "1" }, 1], [{ job: "b" }, NaN]))).toMatch(/^unexpected series \{job="a", x="1"\}/);
    expect(compareResult(e, vec([{ __name__: "x", job: "a" }, 1], [{ job: "b" }, NaN]))).toMatch(/^unexpected series x\{job="a"\}/);
  });

  it("checks positions only with expect ordered", () => {
    const o = ev('eval instant at 0 sort(x)\n  expect ordered\n  {job="a"} 1\n  {job="b"} 2\n');
    expect(compareResult(o, vec([{ job: "a" }, 1], [{ job: "b" }, 2]))).toBeNull();
    expect(compareResult(o, vec([{ job: "b" }, 2], [{ job: "a" }, 1]))).toMatch(/^expected \{job="b"\} at position 2 but it was at 1/);
    const legacy = ev('eval_ordered instant at 0 sort(x)\n  {job="a"} 1\n  {job="b"} 2\n');
    expect(compareResult(legacy, vec([{ job: "b" }, 2], [{ job: "a" }, 1]))).not.toBeNull();
  });

  it("passes an empty result when nothing is expected, and fails a scalar expectation", () => {
    expect(compareResult(ev("eval instant at 0 x\n"), vec())).toBeNull();
    expect(compareResult(ev("eval instant at 0 x\n  1\n"), vec())).toMatch(/^expected scalar result, but got vector/);
  });

  it("reads an omitted instant value as 0, like Prometheus", () => {
    expect(compareResult(ev("eval instant at 0 x\n  {} _\n"), vec([{}, 0]))).toBeNull();
  });
});

describe("compareResult on scalars and strings", () => {
  it("compares scalars with the tolerance", () => {
    const e = ev("eval instant at 0 1/3\n  0.333333333\n");
    expect(compareResult(e, { type: "scalar", t: 0, v: 1 / 3 })).toBeNull();
    expect(compareResult(e, { type: "scalar", t: 0, v: 0.3 })).toBe("expected scalar 0.333333333 but got 0.3");
    expect(compareResult(ev("eval instant at 0 x\n  {} 1\n"), { type: "scalar", t: 0, v: 1 })).toMatch(/^expected \{\} 1, but got scalar 1/);
  });

  it("compares strings exactly", () => {
    const e = ev('eval instant at 0 "a"\n  expect string "a"\n');
    expect(compareResult(e, { type: "string", t: 0, v: "a" })).toBeNull();
    expect(compareResult(e, { type: "string", t: 0, v: "a " })).toBe('expected string "a" but got "a "');
  });
});

describe("compareResult on matrices", () => {
  const e = ev('eval range from 0 to 2m step 1m x\n  foo{job="1"} _ 3 5\n  bar{job="2"} 1 3 5\n');

  it("places expected points at start + i*step and skips gaps", () => {
    const ok = mat(
      [{ __name__: "bar", job: "2" }, [[0, 1], [60_000, 3], [120_000, 5]]],
      [{ __name__: "foo", job: "1" }, [[60_000, 3], [120_000, 5.000001]]],
    );
    expect(compareResult(e, ok)).toBeNull();
  });

  it("fails on a point at the wrong time, a wrong count or a wrong value", () => {
    const bar = [{ __name__: "bar", job: "2" }, [[0, 1], [60_000, 3], [120_000, 5]]] as [Record<string, string>, [number, number][]];
    expect(compareResult(e, mat(bar, [{ __name__: "foo", job: "1" }, [[0, 3], [120_000, 5]]]))).toMatch(/^expected point 0 of foo\{job="1"\} at t=60000, got t=0/);
    expect(compareResult(e, mat(bar, [{ __name__: "foo", job: "1" }, [[0, 1], [60_000, 3], [120_000, 5]]]))).toMatch(/^expected 2 points for foo\{job="1"\}, got 3/);
    expect(compareResult(e, mat(bar, [{ __name__: "foo", job: "1" }, [[60_000, 3], [120_000, 6]]]))).toMatch(/^expected 5 at t=120000 for foo\{job="1"\}, got 6/);
    expect(compareResult(e, mat(bar))).toMatch(/^expected series foo\{job="1"\} _ 3 5 not found/);
  });

  it("requires matrices sorted by labels and refuses expect ordered", () => {
    const unsorted = mat([{ __name__: "foo", job: "1" }, [[60_000, 3], [120_000, 5]]], [{ __name__: "bar", job: "2" }, [[0, 1], [60_000, 3], [120_000, 5]]]);
    expect(compareResult(e, unsorted)).toMatch(/^matrix results should always be sorted by labels/);
    const o = ev("eval_ordered instant at 0 x\n");
    expect(compareResult(o, mat())).toBe("expected ordered result, but query returned a matrix");
  });

  it("fails when more points are expected than the range can hold", () => {
    const r = ev("eval range from 0 to 1m step 1m x\n  {} 1 2 3\n");
    expect(compareResult(r, mat([{}, [[0, 1], [60_000, 2]]]))).toMatch(/^expected 3 points for \{\}, but the query time range cannot return this many points/);
  });

  it("compares a range vector result of an instant query", () => {
    const r = ev("eval instant at 3m m[3m]\n  expect range vector from 1m to 3m step 60s\n  m{} 1 _ 3\n");
    expect(compareResult(r, mat([{ __name__: "m" }, [[60_000, 1], [180_000, 3]]]))).toBeNull();
    expect(compareResult(r, mat([{ __name__: "m" }, [[60_000, 1], [120_000, 2], [180_000, 3]]]))).not.toBeNull();
  });

  it("fails a scalar expectation", () => {
    const r = ev("eval range from 0 to 1m step 1m 1\n  1\n");
    expect(compareResult(r, mat([{}, [[0, 1]]]))).toMatch(/^expected scalar result, but got matrix/);
  });
});

describe("checkAnnotations", () => {
  const W = "PromQL warning: quantile value should be between 0 and 1, got NaN (1:10)";
  const I = "PromQL info: ignored histograms (1:1)";

  it("ignores annotations when nothing is expected about them", () => {
    expect(checkAnnotations(ev("eval instant at 0 x\n"), [W], [I])).toBeNull();
  });

  it("requires some annotation for eval_warn / eval_info and bare expect warn / info", () => {
    expect(checkAnnotations(ev("eval_warn instant at 0 x\n"), [], [I])).toBe("expected warnings but got none");
    expect(checkAnnotations(ev("eval_info instant at 0 x\n"), [W], [])).toBe("expected info annotations but got none");
    expect(checkAnnotations(ev("eval instant at 0 x\n  expect warn\n"), [], [])).toBe("expected warn annotations but none were found");
    expect(checkAnnotations(ev("eval instant at 0 x\n  expect warn\n  expect info\n"), [W], [I])).toBeNull();
  });

  it("matches msg exactly and regex anywhere, and every annotation must be expected", () => {
    const m = ev(`eval instant at 0 x\n  expect warn msg: ${W}\n`);
    expect(checkAnnotations(m, [W], [])).toBeNull();
    expect(checkAnnotations(m, [W + " "], [])).toMatch(/^expected warn annotation matching message/);
    expect(checkAnnotations(m, [W, "PromQL warning: other"], [])).toBe('unexpected warn annotation "PromQL warning: other"');
    const r = ev("eval instant at 0 x\n  expect warn regex: got NaN \\([0-9]+:[0-9]+\\)\n");
    expect(checkAnnotations(r, [W], [])).toBeNull();
    expect(checkAnnotations(r, ["PromQL warning: got 2 (1:1)"], [])).toMatch(/^expected warn annotation matching pattern/);
  });

  it("forbids annotations with no_warn / no_info", () => {
    expect(checkAnnotations(ev("eval instant at 0 x\n  expect no_warn\n"), [W], [])).toMatch(/^unexpected warning annotations/);
    expect(checkAnnotations(ev("eval instant at 0 x\n  expect no_warn\n"), [], [I])).toBeNull();
    expect(checkAnnotations(ev("eval instant at 0 x\n  expect no_info\n"), [], [I])).toMatch(/^unexpected info annotations/);
  });
});

describe("checkExpectedFailure", () => {
  it("accepts any error for a bare expect fail or eval_fail", () => {
    expect(checkExpectedFailure(ev("eval instant at 0 x\n  expect fail\n"), "boom")).toBeNull();
    expect(checkExpectedFailure(ev("eval_fail instant at 0 x\n"), "boom")).toBeNull();
  });

  it("checks msg exactly and regex as a search", () => {
    const m = ev("eval instant at 0 x\n  expect fail msg: vector cannot contain metrics with the same labelset\n");
    expect(checkExpectedFailure(m, "vector cannot contain metrics with the same labelset")).toBeNull();
    expect(checkExpectedFailure(m, "other")).toMatch(/^expected error matching message "vector cannot contain/);
    const r = ev("eval instant at 0 x\n  expect fail regex: same label.et\n");
    expect(checkExpectedFailure(r, "vector cannot contain metrics with the same labelset")).toBeNull();
    expect(checkExpectedFailure(ev("eval_fail instant at 0 x\n  expected_fail_message boom"), "boom!")).toMatch(/^expected error "boom"/);
    expect(checkExpectedFailure(ev("eval_fail instant at 0 x\n  expected_fail_regexp ^bo+m$"), "booom")).toBeNull();
  });

  it("reports an error nobody expected", () => {
    expect(checkExpectedFailure(ev("eval instant at 0 x\n"), "boom")).toBe("unexpected error: boom");
  });
});
