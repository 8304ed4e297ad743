import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey } from "../../../src/model/labels.js";
import { isStaleNaN } from "../../../src/model/sample.js";
import { isFail, isOrdered, parseScript, type Command, type EvalCommand, type LoadCommand } from "../../../src/promql/promqltest/script.js";

function only<T extends Command["kind"]>(text: string, kind: T): Extract<Command, { kind: T }> {
  const s = parseScript(text);
  expect(s.errors).toEqual([]);
  expect(s.commands.length).toBe(1);
  expect(s.commands[0]!.kind).toBe(kind);
  return s.commands[0] as Extract<Command, { kind: T }>;
}

const evalOf = (text: string): EvalCommand => only(text, "eval");
const loadOf = (text: string): LoadCommand => only(text, "load");
const key = (rec: Record<string, string>) => labelsKey(labelsFromRecord(rec));

describe("load", () => {
  it("reads the step and the series with their expanded values", () => {
    const l = loadOf(`
# a comment
load 5m
  http_requests{job="api", instance="0"} 0+10x2
\thttp_requests{job="api", instance="1"}\t1 _ stale
`);
    expect(l).toMatchObject({ kind: "load", line: 3, stepMs: 300_000, withNHCB: false });
    expect(l.series.map((s) => [labelsKey(s.labels), s.line])).toEqual([
      [key({ __name__: "http_requests", job: "api", instance: "0" }), 4],
      [key({ __name__: "http_requests", job: "api", instance: "1" }), 5],
    ]);
    expect([...l.series[0]!.seq.values]).toEqual([0, 10, 20]);
    expect([...l.series[1]!.seq.omitted]).toEqual([0, 1, 0]);
    expect(isStaleNaN(l.series[1]!.seq.values[2]!)).toBe(true);
  });

  it("lets a later line for the same series replace an earlier one", () => {
    const l = loadOf("load 1m\n  m{a=\"1\"} 1 2\n  m{a=\"1\"} 5\n");
    expect(l.series.length).toBe(1);
    expect([...l.series[0]!.seq.values]).toEqual([5]);
    expect(l.series[0]!.line).toBe(3);
  });

  it("recognises load_with_nhcb, compound steps and native histogram values", () => {
    const l = loadOf("load_with_nhcb 10s53ms\n  h_bucket{le=\"1\"} 1\n  n {{schema:0 count:1}}x2\n");
    expect(l.withNHCB).toBe(true);
    expect(l.stepMs).toBe(10_053);
    expect(l.series.map((s) => s.seq.histogram)).toEqual([false, true]);
  });

  it("ends at the first blank or comment line", () => {
    const s = parseScript("load 1m\n  a 1\n#\n  b 2\n");
    expect(s.commands.length).toBe(1);
    expect(s.errors).toEqual([{ line: 4, message: 'invalid command "b 2"' }]);
  });
});

describe("eval headers", () => {
  it("parses instant evals with their time as a duration since the epoch", () => {
    const e = evalOf("eval instant at 1m30s sum by (job) (rate(foo[5m]))");
    expect(e).toMatchObject({ line: 1, expr: "sum by (job) (rate(foo[5m]))", isRange: false, evalTime: 90_000, start: 90_000, end: 90_000, step: 0 });
    expect(e.legacy).toEqual({ fail: false, warn: false, info: false, ordered: false });
    expect(evalOf("eval instant at 0 1").evalTime).toBe(0);
    expect(evalOf("eval instant at 10s53ms 1").evalTime).toBe(10_053);
  });

  it("parses range evals", () => {
    const e = evalOf("eval range from 0 to 2m step 30s  foo > 2 or bar");
    expect(e).toMatchObject({ expr: "foo > 2 or bar", isRange: true, start: 0, end: 120_000, step: 30_000 });
  });

  it("parses the legacy eval_* spellings", () => {
    expect(evalOf("eval_fail instant at 0 -{job=\"api\"}").legacy.fail).toBe(true);
    expect(evalOf("eval_ordered instant at 0 sort(x)").legacy.ordered).toBe(true);
    expect(evalOf("eval_warn range from 0 to 1m step 1m x").legacy.warn).toBe(true);
    expect(evalOf("eval_info instant at 0 x").legacy.info).toBe(true);
    expect(isFail(evalOf("eval_fail instant at 0 x"))).toBe(true);
    expect(isOrdered(evalOf("eval_ordered instant at 0 x"))).toBe(true);
  });

  it("reports malformed headers with their line", () => {
    const s = parseScript("\n\neval instant at 5x foo\n\neval range from 2m to 1m step 1m foo\n\neval instant foo\n\neval_ordered range from 0 to 1m step 1m foo\n");
    expect(s.commands).toEqual([]);
    expect(s.errors.map((e) => e.line)).toEqual([3, 5, 7, 9]);
    expect(s.errors[1]!.message).toMatch(/end timestamp \(1m\) is before start timestamp \(2m\)/);
  });
});

describe("eval expectations", () => {
  it("collects expected series with their positions, unordered by default", () => {
    const e = evalOf('eval instant at 50m foo\n  {job="b"} 2\n  foo{job="a"} -Inf\n  {} NaN\n');
    expect([...e.expected.values()].map((x) => [labelsKey(x.labels), x.pos, x.seq.values[0]])).toEqual([
      [key({ job: "b" }), 1, 2],
      [key({ __name__: "foo", job: "a" }), 2, -Infinity],
      ["", 3, NaN],
    ]);
    expect(e.expectScalar).toBe(false);
    expect(isOrdered(e)).toBe(false);
  });

  it("reads a bare number as a scalar result and ends the block there", () => {
    const s = parseScript("eval instant at 50m 1 / 0\n\t+Inf\n  foo 1\n");
    const e = s.commands[0] as EvalCommand;
    expect(e.expectScalar).toBe(true);
    expect(e.scalar!.values[0]).toBe(Infinity);
    expect(s.errors).toEqual([{ line: 3, message: 'invalid command "foo 1"' }]);
    expect(evalOf("eval instant at 0 x\n  0x10").scalar!.values[0]).toBe(16);
    expect(evalOf("eval instant at 0 x\n  -0.0000002").scalar!.values[0]).toBe(-2e-7);
  });

  it("parses range expectations with gaps", () => {
    const e = evalOf('eval range from 0 to 2m step 1m foo > 2 or bar\n  foo{job="1"} _ 3 5\n  bar{job="2"} 1+2x2\n');
    const foo = e.expected.get(key({ __name__: "foo", job: "1" }))!;
    expect([...foo.seq.omitted]).toEqual([1, 0, 0]);
    expect([...foo.seq.values]).toEqual([0, 3, 5]);
    expect([...e.expected.get(key({ __name__: "bar", job: "2" }))!.seq.values]).toEqual([1, 3, 5]);
  });

  it("refuses several values for an instant eval unless a range vector is expected", () => {
    const s = parseScript("eval instant at 1m foo[1m]\n  foo 1 2\n");
    expect(s.errors[0]!.message).toMatch(/expecting multiple values in instant evaluation not allowed/);
    const e = evalOf("eval instant at 1m foo[1m]\n  expect range vector from 10s to 1m step 10s\n  foo 2 3 4 5 6\n");
    expect(e).toMatchObject({ expectRangeVector: true, excludeFromRangeQuery: true, start: 10_000, end: 60_000, step: 10_000, evalTime: 60_000 });
    // The range vector's end is the evaluation time, as in Prometheus.
    expect(evalOf("eval instant at 10m foo[1m]\n  expect range vector from 9m10s to 10m step 1m\n").evalTime).toBe(600_000);
  });

  it("parses expect string literals in all quote styles", () => {
    expect(evalOf('eval instant at 50m "Foo"\n\texpect string "Foo"').expectedString).toBe("Foo");
    expect(evalOf("eval instant at 50m x\n\texpect string `a\\nb`").expectedString).toBe("a\\nb");
    expect(evalOf('eval instant at 50m x\n\texpect string "a\\tb\\u00e9"').expectedString).toBe("a\tb\u00e9");
    expect(evalOf('eval instant at 50m x\n    expect string " Foo "').expectedString).toBe(" Foo ");
    const e = evalOf('eval instant at 50m ""\n   \texpect string ""');
    expect(e.expectedString).toBe("");
    expect(e.excludeFromRangeQuery).toBe(true);
    for (const bad of ["expect string", "expect string Foo", 'expect string "Foo" x', "expect string 'ab'"]) {
      expect(parseScript(`eval instant at 0 x\n  ${bad}\n`).errors.length, bad).toBe(1);
    }
  });

  it("parses expect lines with msg and regex details", () => {
    const e = evalOf(
      [
        "eval instant at 0m foo",
        "  expect fail msg:invalid label name \"a\"",
        "  expect warn regex: PromQL warning: quantile value should be between 0 and 1, got NaN \\([0-9]+:[0-9]+\\)",
        "  expect warn",
        "  expect info msg: PromQL info: something (1:2)",
        "  expect ordered",
        "  foo 1",
      ].join("\n"),
    );
    expect(e.expects.fail).toEqual([{ message: 'invalid label name "a"', regex: null, line: 2 }]);
    expect(e.expects.warn[0]!.regex!.test("PromQL warning: quantile value should be between 0 and 1, got NaN (1:10)")).toBe(true);
    expect(e.expects.warn[1]!.regex!.source).toBe("^.*$");
    expect(e.expects.info[0]!.message).toBe("PromQL info: something (1:2)");
    expect(e.expects.ordered.length).toBe(1);
    expect(isFail(e)).toBe(true);
    expect(e.expected.get(key({ __name__: "foo" }))!.pos).toBe(1);
    const n = evalOf("eval instant at 0 foo\n  expect no_warn\n  expect no_info\n");
    expect([n.expects.no_warn.length, n.expects.no_info.length]).toEqual([1, 1]);
  });

  it("still allows a metric called expect when written expect{}", () => {
    const e = evalOf("eval instant at 0 expect\n  expect{} 1\n");
    expect([...e.expected.keys()]).toEqual([key({ __name__: "expect" })]);
  });

  it("rejects contradicting or malformed expect lines", () => {
    const bad = [
      "expect info\n  expect no_info",
      "expect warn\n  expect no_warn",
      "expect fail\n  expect fail",
      "expect bogus",
      "expect fail msg:",
      "expect fail regex: (",
      "expect range vector from 1m to 10s step 1s",
    ];
    for (const b of bad) expect(parseScript(`eval instant at 0 x\n  ${b}\n`).errors.length, b).toBe(1);
  });

  it("reads expected_fail_message and expected_fail_regexp after eval_fail", () => {
    expect(evalOf("eval_fail instant at 0 x\n  expected_fail_message boom here").expectedFailMessage).toBe("boom here");
    expect(evalOf("eval_fail instant at 0 x\n  expected_fail_regexp bo+m").expectedFailRegexp!.source).toBe("bo+m");
  });

  it("flags expected native histogram values", () => {
    const e = evalOf("eval instant at 0 h\n  h {{schema:0 count:1 sum:2}}\n");
    expect(e.histogram).toBe(true);
  });
});

describe("scripts", () => {
  it("parses a sequence of commands and recovers after a broken block", () => {
    const s = parseScript(`load 1m
  a 1 2

eval instant at 1m a
  a{} 2
  not a series line (

clear

eval range from 0 to 1m step 1m a
  a 1 2

bogus command
`);
    expect(s.commands.map((c) => [c.kind, c.line])).toEqual([
      ["load", 1],
      ["clear", 8],
      ["eval", 10],
    ]);
    expect(s.errors.map((e) => e.line)).toEqual([6, 13]);
  });

  it("accepts CRLF line endings", () => {
    const s = parseScript("load 1m\r\n  a 1\r\n\r\neval instant at 0 a\r\n  a 1\r\n");
    expect(s.errors).toEqual([]);
    expect(s.commands.length).toBe(2);
  });
});
