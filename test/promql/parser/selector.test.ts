import { describe, expect, it } from "vitest";
import { ParseError } from "../../../src/promql/parser/errors.js";
import { parseMetricSelector } from "../../../src/promql/parser/parser.js";
import { parseSeriesSelector } from "../../../src/promql/parser/selector.js";

const show = (q: string): string[] => parseSeriesSelector(q).map((m) => `${m.name}${m.type}${m.value}`);

function failure(q: string): [number, string] {
  try {
    parseSeriesSelector(q);
  } catch (e) {
    if (e instanceof ParseError) return [e.offset, e.detail];
    throw e;
  }
  throw new Error(`expected ${q} to fail`);
}

describe("parseSeriesSelector", () => {
  it("parses match[] selectors", () => {
    expect(show("up")).toEqual(["__name__=up"]);
    expect(show('up{job="x", instance=~"a.*"}')).toEqual(["job=x", "instance=~a.*", "__name__=up"]);
    expect(show('{__name__=~"node_.*"}')).toEqual(["__name__=~node_.*"]);
    expect(show('{"utf8.metric", "label.name"="v"}')).toEqual(["__name__=utf8.metric", "label.name=v"]);
    expect(show("sum")).toEqual(["__name__=sum"]);
    expect(show("  foo:bar  # comment")).toEqual(["__name__=foo:bar"]);
    expect(show('foo{__name__="bar"}')).toEqual(["__name__=bar", "__name__=foo"]);
  });

  it("refuses selectors that match every series", () => {
    expect(failure("{}")).toEqual([0, "vector selector must contain at least one non-empty matcher"]);
    expect(failure('{a=~".*"}')).toEqual([0, "vector selector must contain at least one non-empty matcher"]);
  });

  it("refuses anything but a selector", () => {
    expect(failure("")).toEqual([0, "unexpected end of input"]);
    expect(failure("up + 1")).toEqual([3, "unexpected <op:+>"]);
    expect(failure("up[5m]")).toEqual([2, 'unexpected "["']);
    expect(failure("rate(x)")).toEqual([4, 'unexpected "("']);
    expect(failure("up{")).toEqual([3, "unexpected end of input inside braces"]);
  });
});

describe("parseMetricSelector", () => {
  it("returns the selector without type checks", () => {
    expect(parseMetricSelector("{}").matchers).toEqual([]);
    expect(parseMetricSelector('{"my.metric"}').name).toBe("my.metric");
  });
});
