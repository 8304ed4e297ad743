import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { compileRegex, matchesLabels, newMatcher } from "../../src/model/matchers.js";

describe("matchers", () => {
  it("anchors regexes and lets . match newlines as Prometheus 3 does", () => {
    expect(compileRegex("a.c").test("a\nc")).toBe(true);
    expect(compileRegex("b").test("abc")).toBe(false);
    expect(compileRegex("(?i)ABC").test("abc")).toBe(true);
    expect(compileRegex("a|b").test("a")).toBe(true);
  });

  it("treats a missing label as the empty value", () => {
    const ls = labelsFromRecord({ __name__: "up" });
    expect(matchesLabels([newMatcher("=", "job", "")], ls)).toBe(true);
    expect(matchesLabels([newMatcher("!=", "job", "")], ls)).toBe(false);
    expect(matchesLabels([newMatcher("=~", "job", ".*")], ls)).toBe(true);
    expect(matchesLabels([newMatcher("!~", "job", ".+")], ls)).toBe(true);
  });
});

