import { describe, expect, it } from "vitest";
import { expandTemplate, parseTemplate } from "../../src/relabel/template.js";

function expand(template: string, re: RegExp, s: string): string {
  const m = re.exec(s);
  if (m === null) throw new Error("no match");
  return expandTemplate(parseTemplate(template), m);
}

describe("Go regexp.Expand templates", () => {
  const re = /^(?<first>a+)(b*)(c)?$/su;

  it("expands numbered and named references, braced or not", () => {
    expect(expand("$1-${2}", re, "aab")).toBe("aa-b");
    expect(expand("$first/${first}", re, "aab")).toBe("aa/aa");
    expect(expand("$0", re, "aabbc")).toBe("aabbc");
  });

  it("takes the longest run of letters, digits and underscores as the name", () => {
    // "$1x" names the group "1x", which does not exist.
    expect(expand("$1x", re, "aab")).toBe("");
    expect(expand("${1}x", re, "aab")).toBe("aax");
    expect(expand("$1_suffix", re, "aab")).toBe("");
    expect(expand("$1.suffix", re, "aab")).toBe("aa.suffix");
  });

  it("expands unknown groups, non-participating groups, out-of-range numbers and leading zeros to nothing", () => {
    expect(expand("[$3]", re, "aab")).toBe("[]");
    expect(expand("[$9]", re, "aab")).toBe("[]");
    expect(expand("[$nope]", re, "aab")).toBe("[]");
    expect(expand("[$01]", re, "aab")).toBe("[]");
    expect(expand("[${01}]", re, "aab")).toBe("[]");
  });

  it("keeps a $ that starts no valid reference, and reads $$ as $", () => {
    expect(expand("$$1", re, "aab")).toBe("$1");
    expect(expand("cost: $", re, "aab")).toBe("cost: $");
    expect(expand("$-x", re, "aab")).toBe("$-x");
    expect(expand("${1", re, "aab")).toBe("${1");
    expect(expand("${}", re, "aab")).toBe("${}");
    expect(expand("${1-}", re, "aab")).toBe("${1-}");
  });

  it("accepts non-ASCII letters in names", () => {
    const u = /^(?<größe>x+)$/su;
    expect(expand("${größe}!", u, "xx")).toBe("xx!");
  });

  it("marks templates without references as literal", () => {
    expect(parseTemplate("plain").literal).toBe("plain");
    expect(parseTemplate("a$$b").literal).toBe("a$b");
    expect(parseTemplate("$1").literal).toBeNull();
    expect(parseTemplate("").literal).toBe("");
  });
});
