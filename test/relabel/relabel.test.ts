import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { goToLower, goToUpper } from "../../src/relabel/gocase.js";
import {
  compileRelabelConfigs,
  isValidLegacyNameTemplate,
  relabel,
  RelabelConfigError,
} from "../../src/relabel/relabel.js";
import { relabelConfig, type RelabelConfig } from "../../src/relabel/relabel_config.js";
import { L, run } from "./helpers.js";

function hashmodExpected(value: string, modulus: number): string {
  const sum = createHash("md5").update(value, "utf8").digest();
  return String(sum.readBigUInt64BE(8) % BigInt(modulus));
}

function compileError(c: Partial<RelabelConfig>): string {
  try {
    compileRelabelConfigs([relabelConfig(c)]);
  } catch (e) {
    expect(e).toBeInstanceOf(RelabelConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a config error");
}

describe("relabel: replace", () => {
  it("writes the expanded replacement into the target label", () => {
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a"], regex: "f(.*)", targetLabel: "d", replacement: "ch${1}-ch${1}" })).toEqual({
      a: "foo",
      b: "bar",
      d: "choo-choo",
    });
  });

  it("joins several source labels with the separator, missing ones as empty", () => {
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a", "b"], regex: "f(.*);(.*)r", targetLabel: "a", replacement: "b${1}${2}m" })).toEqual({
      a: "boobam",
      b: "bar",
    });
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a", "b"], separator: "__", regex: "(.*)", targetLabel: "c" })).toEqual({
      a: "foo",
      b: "bar",
      c: "foo__bar",
    });
    expect(run({ a: "foo" }, { sourceLabels: ["a", "missing", "a"], regex: "foo;;foo", targetLabel: "hit", replacement: "yes" })).toEqual({
      a: "foo",
      hit: "yes",
    });
    expect(run({ a: "foo" }, { sourceLabels: ["missing", "missing"], separator: "", regex: "", targetLabel: "empty", replacement: "yes" })).toEqual({
      a: "foo",
      empty: "yes",
    });
  });

  it("does nothing when the regex does not match, and hands back the input itself", () => {
    const input = L({ a: "foo", b: "bar" });
    const out = relabel(input, compileRelabelConfigs([relabelConfig({ sourceLabels: ["a"], regex: "o", targetLabel: "x" })]));
    // The regex is anchored: "o" does not match "foo".
    expect(out).toBe(input);
  });

  it("hands back the input itself when a step writes a value the label already has", () => {
    const input = L({ a: "foo", b: "bar" });
    const out = relabel(input, compileRelabelConfigs([relabelConfig({ sourceLabels: ["a"], targetLabel: "a" })]));
    expect(out).toBe(input);
  });

  it("removes the target label when the replacement expands to nothing", () => {
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a"], regex: "(f).*", targetLabel: "b", replacement: "$2" })).toEqual({ a: "foo" });
    // The $1_suffix pitfall: the group named "1_suffix" does not exist.
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a"], regex: "(.*)", targetLabel: "b", replacement: "$1_suffix" })).toEqual({ a: "foo" });
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a"], regex: "(.*)", targetLabel: "b", replacement: "${1}_suffix" })).toEqual({
      a: "foo",
      b: "foo_suffix",
    });
  });

  it("sets a fixed value with the default regex and an empty source (the static label idiom)", () => {
    expect(run({ a: "foo" }, { targetLabel: "env", replacement: "prod" })).toEqual({ a: "foo", env: "prod" });
    expect(run({ a: "foo", env: "dev" }, { targetLabel: "env", replacement: "" })).toEqual({ a: "foo" });
  });

  it("copies a label with the defaults (regex (.*), replacement $1), deleting the target when empty", () => {
    expect(run({ a: "foo" }, { sourceLabels: ["a"], targetLabel: "b" })).toEqual({ a: "foo", b: "foo" });
    expect(run({ a: "foo", b: "x" }, { sourceLabels: ["nope"], targetLabel: "b" })).toEqual({ a: "foo" });
  });

  it("expands templates in target_label and skips the step when the name is invalid", () => {
    expect(run({ a: "some-name-value" }, { sourceLabels: ["a"], regex: "some-([^-]+)-(.+)", targetLabel: "${1}", replacement: "${2}" })).toEqual({
      a: "some-name-value",
      name: "value",
    });
    // "0abc" is not a valid label name: nothing happens.
    expect(run({ a: "some-0abc-value" }, { sourceLabels: ["a"], regex: "some-([^-]+)-(.+)", targetLabel: "${1}", replacement: "${2}" })).toEqual({
      a: "some-0abc-value",
    });
    // Expanding to nothing is invalid too.
    expect(run({ a: "x" }, { sourceLabels: ["a"], regex: "(y)?x", targetLabel: "$1", replacement: "z" })).toEqual({ a: "x" });
    // Prometheus 3 deletes the *expanded* target when the replacement is empty.
    expect(run({ a: "name", name: "v" }, { sourceLabels: ["a"], regex: "(.*)", targetLabel: "$1", replacement: "" })).toEqual({ a: "name" });
  });

  it("supports named groups, $$ and leading-zero references as Go does", () => {
    expect(run({ a: "host:9100" }, { sourceLabels: ["a"], regex: "(?P<host>[^:]+):(?P<port>\\d+)", targetLabel: "b", replacement: "$port@${host}" })).toEqual({
      a: "host:9100",
      b: "9100@host",
    });
    expect(run({ a: "x" }, { sourceLabels: ["a"], targetLabel: "b", replacement: "$$1" })).toEqual({ a: "x", b: "$1" });
    expect(run({ a: "x" }, { sourceLabels: ["a"], targetLabel: "b", replacement: "[$01]" })).toEqual({ a: "x", b: "[]" });
  });

  it("anchors the regex, lets . match newlines and honours (?i)", () => {
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "fo", targetLabel: "m", replacement: "1" })).toEqual({ a: "foo" });
    expect(run({ a: "a\nb" }, { sourceLabels: ["a"], regex: "a.b", targetLabel: "m", replacement: "1" })).toEqual({ a: "a\nb", m: "1" });
    expect(run({ a: "FOO" }, { sourceLabels: ["a"], regex: "(?i)foo", targetLabel: "m", replacement: "1" })).toEqual({ a: "FOO", m: "1" });
    expect(run({ a: "foo|bar" }, { sourceLabels: ["a"], regex: "foo|bar", targetLabel: "m", replacement: "1" })).toEqual({ a: "foo|bar" });
  });
});

describe("relabel: keep and drop", () => {
  it("keeps only matching sets", () => {
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "f.*", action: "keep" })).toEqual({ a: "foo" });
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "b.*", action: "keep" })).toBeNull();
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "f", action: "keep" })).toBeNull();
  });

  it("drops matching sets", () => {
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "f.*", action: "drop" })).toBeNull();
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "b.*", action: "drop" })).toEqual({ a: "foo" });
  });

  it("reads a missing label as the empty string", () => {
    expect(run({ a: "foo" }, { sourceLabels: ["b"], regex: ".+", action: "keep" })).toBeNull();
    expect(run({ a: "foo" }, { sourceLabels: ["b"], regex: "", action: "keep" })).toEqual({ a: "foo" });
    expect(run({ a: "foo" }, { sourceLabels: ["b"], regex: "", action: "drop" })).toBeNull();
    // The default regex matches everything: keep keeps, drop drops.
    expect(run({ a: "foo" }, { sourceLabels: ["b"], action: "keep" })).toEqual({ a: "foo" });
    expect(run({ a: "foo" }, { action: "drop" })).toBeNull();
  });

  it("matches the joined value of several labels", () => {
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a", "b"], regex: "foo;bar", action: "keep" })).toEqual({ a: "foo", b: "bar" });
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["b", "a"], regex: "foo;bar", action: "keep" })).toBeNull();
  });

  it("stops at the first step that drops", () => {
    expect(
      run(
        { __name__: "go_gc_duration_seconds", job: "x" },
        { sourceLabels: ["__name__"], regex: "go_.*", action: "drop" },
        { targetLabel: "never", replacement: "set" },
      ),
    ).toBeNull();
  });
});

describe("relabel: keepequal and dropequal", () => {
  it("compares the joined source value with the target label's value", () => {
    expect(run({ a: "foo", b: "foo" }, { sourceLabels: ["a"], targetLabel: "b", action: "keepequal" })).toEqual({ a: "foo", b: "foo" });
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a"], targetLabel: "b", action: "keepequal" })).toBeNull();
    expect(run({ a: "foo", b: "foo" }, { sourceLabels: ["a"], targetLabel: "b", action: "dropequal" })).toBeNull();
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a"], targetLabel: "b", action: "dropequal" })).toEqual({ a: "foo", b: "bar" });
    expect(run({ a: "x", b: "y", c: "x;y" }, { sourceLabels: ["a", "b"], targetLabel: "c", action: "keepequal" })).toEqual({ a: "x", b: "y", c: "x;y" });
  });

  it("treats missing labels as empty on both sides", () => {
    expect(run({ a: "foo" }, { sourceLabels: ["x"], targetLabel: "y", action: "keepequal" })).toEqual({ a: "foo" });
    expect(run({ a: "foo" }, { sourceLabels: ["x"], targetLabel: "y", action: "dropequal" })).toBeNull();
  });
});

describe("relabel: hashmod", () => {
  it("writes md5(joined value)'s last 8 bytes, big-endian, modulo the modulus", () => {
    for (const [value, modulus] of [
      ["foo", 1000],
      ["127.0.0.1:9100", 4],
      ["", 7],
      ["node-1;prod", 2 ** 40],
    ] as const) {
      expect(run({ a: value }, { sourceLabels: ["a"], modulus, targetLabel: "shard", action: "hashmod" })?.shard ?? "").toBe(
        hashmodExpected(value, modulus),
      );
    }
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a", "b"], modulus: 1000, targetLabel: "c", action: "hashmod" })).toEqual({
      a: "foo",
      b: "bar",
      c: hashmodExpected("foo;bar", 1000),
    });
  });

  it("matches the values in Prometheus' own relabel tests", () => {
    expect(run({ c: "baz" }, { sourceLabels: ["c"], modulus: 1000, targetLabel: "d", action: "hashmod" })).toEqual({ c: "baz", d: "976" });
    expect(run({ a: "foo\nbar" }, { sourceLabels: ["a"], modulus: 1000, targetLabel: "b", action: "hashmod" })).toEqual({ a: "foo\nbar", b: "734" });
    expect(hashmodExpected("baz", 1000)).toBe("976");
  });
});

describe("relabel: labelmap", () => {
  it("copies labels whose names match to the expanded replacement name", () => {
    expect(
      run(
        { __meta_kubernetes_pod_label_app: "web", __meta_kubernetes_pod_label_tier: "front", job: "k8s" },
        { regex: "__meta_kubernetes_pod_label_(.+)", action: "labelmap" },
      ),
    ).toEqual({
      __meta_kubernetes_pod_label_app: "web",
      __meta_kubernetes_pod_label_tier: "front",
      app: "web",
      tier: "front",
      job: "k8s",
    });
    expect(run({ a: "foo", b: "bar" }, { regex: "(b)", replacement: "${1}_copy", action: "labelmap" })).toEqual({
      a: "foo",
      b: "bar",
      b_copy: "bar",
    });
  });

  it("lets the label visited last win a name collision (sorted base labels, then added ones)", () => {
    expect(run({ __meta_a_x: "1", __meta_b_x: "2" }, { regex: "__meta_[ab]_(x)", action: "labelmap" })).toEqual({
      __meta_a_x: "1",
      __meta_b_x: "2",
      x: "2",
    });
    // A label set by an earlier step is visited after the untouched ones, as
    // Prometheus 3's labels.Builder does.
    expect(
      run({ __meta_b_x: "2" }, { targetLabel: "__meta_a_x", replacement: "1" }, { regex: "__meta_[ab]_(x)", action: "labelmap" }),
    ).toEqual({ __meta_a_x: "1", __meta_b_x: "2", x: "1" });
  });

  it("does not see labels it adds itself during the same step", () => {
    expect(run({ a: "1" }, { regex: "(.*)", replacement: "${1}_x", action: "labelmap" })).toEqual({ a: "1", a_x: "1" });
  });
});

describe("relabel: labeldrop and labelkeep", () => {
  it("drops matching label names", () => {
    expect(run({ a: "foo", b: "bar", c: "baz" }, { regex: "(b|c)", action: "labeldrop" })).toEqual({ a: "foo" });
    expect(run({ a: "foo", ab: "bar" }, { regex: "a", action: "labeldrop" })).toEqual({ ab: "bar" });
  });

  it("keeps only matching label names", () => {
    expect(run({ __name__: "up", a: "foo", b: "bar", c: "baz" }, { regex: "(b|c)", action: "labelkeep" })).toEqual({ b: "bar", c: "baz" });
  });

  it("returns the input itself when nothing matches", () => {
    const input = L({ a: "foo", b: "bar" });
    expect(relabel(input, compileRelabelConfigs([relabelConfig({ regex: "z.*", action: "labeldrop" })]))).toBe(input);
    expect(relabel(input, compileRelabelConfigs([relabelConfig({ regex: ".*", action: "labelkeep" })]))).toBe(input);
  });
});

describe("relabel: lowercase and uppercase", () => {
  it("writes the case-mapped joined value", () => {
    expect(run({ a: "FoO", b: "BaR" }, { sourceLabels: ["a", "b"], targetLabel: "lower", action: "lowercase" })).toEqual({
      a: "FoO",
      b: "BaR",
      lower: "foo;bar",
    });
    expect(run({ a: "FoO" }, { sourceLabels: ["a"], targetLabel: "a", action: "uppercase" })).toEqual({ a: "FOO" });
    expect(run({ a: "x", t: "old" }, { sourceLabels: ["missing"], targetLabel: "t", action: "lowercase" })).toEqual({ a: "x" });
  });

  it("maps code point by code point like Go, not with JavaScript's special casing", () => {
    expect(goToLower("ΟΔΟΣ")).toBe("οδοσ"); // no final sigma
    expect(goToUpper("straße")).toBe("STRAßE"); // ß has no one-to-one upper case
    expect(goToLower("İstanbul")).toBe("istanbul");
    expect(goToUpper("ᾳ")).toBe("ᾼ");
    expect(goToUpper("ﬁ")).toBe("ﬁ");
    expect(goToLower("ÀÉÎ𐐀")).toBe("àéî𐐨");
    expect(run({ a: "ΟΔΟΣ" }, { sourceLabels: ["a"], targetLabel: "b", action: "lowercase" })).toEqual({ a: "ΟΔΟΣ", b: "οδοσ" });
  });
});

describe("relabel: chains", () => {
  it("applies steps in order, each seeing the previous ones' result", () => {
    expect(
      run(
        { __address__: "10.0.0.1:9100", __meta_env: "prod" },
        { sourceLabels: ["__address__"], regex: "([^:]+):\\d+", targetLabel: "host" },
        { sourceLabels: ["host", "__meta_env"], separator: "@", targetLabel: "id" },
        { regex: "__meta_(.*)", action: "labelmap" },
        { regex: "__meta_.*", action: "labeldrop" },
        { sourceLabels: ["id"], targetLabel: "id", action: "uppercase" },
        { sourceLabels: ["env"], regex: "prod", action: "keep" },
      ),
    ).toEqual({ __address__: "10.0.0.1:9100", host: "10.0.0.1", id: "10.0.0.1@PROD", env: "prod" });
  });

  it("returns the input for an empty config list", () => {
    const input = L({ a: "1" });
    expect(relabel(input, [])).toBe(input);
  });

  it("is reentrant across calls (the shared builder is reset)", () => {
    const cfgs = compileRelabelConfigs([relabelConfig({ targetLabel: "x", replacement: "1" })]);
    const a = relabel(L({ a: "1" }), cfgs);
    const b = relabel(L({ b: "2" }), cfgs);
    expect(a).toEqual(L({ a: "1", x: "1" }));
    expect(b).toEqual(L({ b: "2", x: "1" }));
  });
});

describe("compileRelabelConfigs validation (Prometheus' messages)", () => {
  it("rejects configs Prometheus rejects", () => {
    expect(compileError({ action: "hashmod", targetLabel: "t", sourceLabels: ["a"] })).toBe(
      "relabel configuration for hashmod requires non-zero modulus",
    );
    expect(compileError({ action: "replace" })).toBe("relabel configuration for replace action requires 'target_label' value");
    expect(compileError({ action: "lowercase", sourceLabels: ["a"] })).toBe("relabel configuration for lowercase action requires 'target_label' value");
    expect(compileError({ targetLabel: "0abc" })).toBe(`"0abc" is invalid 'target_label' for replace action`);
    expect(compileError({ targetLabel: "a-b" })).toBe(`"a-b" is invalid 'target_label' for replace action`);
    expect(compileError({ targetLabel: "$1-x" })).toBe(`"$1-x" is invalid 'target_label' for replace action`);
    expect(compileError({ action: "uppercase", targetLabel: "$1", sourceLabels: ["a"] })).toBe(`"$1" is invalid 'target_label' for uppercase action`);
    expect(compileError({ action: "lowercase", targetLabel: "t", replacement: "x" })).toBe("'replacement' can not be set for lowercase action");
    expect(compileError({ action: "labelmap", replacement: "a-$1" })).toBe(`"a-$1" is invalid 'replacement' for labelmap action`);
    expect(compileError({ action: "hashmod", targetLabel: "a b", modulus: 2 })).toBe(`"a b" is invalid 'target_label' for hashmod action`);
    expect(compileError({ action: "keepequal", targetLabel: "t", regex: "x" })).toBe(
      "keepequal action requires only 'source_labels' and `target_label`, and no other fields",
    );
    expect(compileError({ action: "dropequal", targetLabel: "t", separator: "," })).toBe(
      "dropequal action requires only 'source_labels' and `target_label`, and no other fields",
    );
    expect(compileError({ action: "labeldrop", sourceLabels: ["a"] })).toBe("labeldrop action requires only 'regex', and no other fields");
    expect(compileError({ action: "labelkeep", targetLabel: "a" })).toBe("labelkeep action requires only 'regex', and no other fields");
    expect(compileError({ action: "nope" as never })).toBe(`unknown relabel action "nope"`);
    expect(compileError({ sourceLabels: ["a-b"], targetLabel: "x" })).toBe(`"a-b" is not a valid label name`);
    expect(compileError({ regex: "(", targetLabel: "x" })).toMatch(/^error parsing regexp/);
  });

  it("accepts target_label templates that Prometheus' relabelTarget pattern accepts", () => {
    for (const ok of ["a", "_a", "${1}", "$1", "a$1", "${1}_x", "$a$b", "x${name}y9"]) expect(isValidLegacyNameTemplate(ok), ok).toBe(true);
    for (const bad of ["", "1a", "$", "${}", "${1", "a-b", "$-", "a.b", "${a-b}"]) expect(isValidLegacyNameTemplate(bad), bad).toBe(false);
    expect(() => compileRelabelConfigs([relabelConfig({ targetLabel: "${1}_${2}", regex: "(a)(b)", sourceLabels: ["x"] })])).not.toThrow();
  });

  it("accepts UTF-8 names in utf8 mode", () => {
    const cfgs = compileRelabelConfigs([relabelConfig({ targetLabel: "ключ.имя", replacement: "v" })], { nameValidation: "utf8" });
    expect(relabel(L({ a: "1" }), cfgs)).toEqual(L({ a: "1", "ключ.имя": "v" }));
  });
});

// A backtracking engine runs these for longer than the test timeout.
describe("pathological regexes run in linear time", () => {
  const long = "a".repeat(10_000);
  it("keep/drop/replace/labelmap with (a+)+b against 10k a's", () => {
    expect(run({ v: `${long}c` }, { action: "keep", sourceLabels: ["v"], regex: "(a+)+b" })).toBeNull();
    expect(run({ v: `${long}b` }, { action: "keep", sourceLabels: ["v"], regex: "(a+)+b" })).toEqual({ v: `${long}b` });
    expect(run({ v: `${long}c` }, { sourceLabels: ["v"], regex: "(a+)+(b|c)", targetLabel: "t", replacement: "$2" })).toEqual({ v: `${long}c`, t: "c" });
    expect(run({ [`x${"_".repeat(5000)}`]: "1", y: "2" }, { action: "labeldrop", regex: "(.*.*)*y" })).toEqual({ [`x${"_".repeat(5000)}`]: "1" });
  });
});
