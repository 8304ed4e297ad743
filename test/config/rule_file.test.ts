import { describe, expect, it } from "vitest";
import { duplicateRules, parseRuleFile, type RuleFileChecks } from "../../src/config/rule_file.js";
import { ParseError } from "../../src/promql/parser/errors.js";
import { parseExpr } from "../../src/promql/parser/parser.js";

// PromQL checks through the real parser; templates are the rules layer's business
// (test/rules covers them through ruleFileChecks), so here a template "fails" when it
// contains the word BROKEN, which is enough to see where its errors are reported.
const checks: RuleFileChecks = {
  expr(e) {
    try {
      parseExpr(e);
      return null;
    } catch (err) {
      if (err instanceof ParseError) return err.message;
      throw err;
    }
  },
  template: (name, text) => (text.includes("BROKEN") ? `template: ${name}:1: BROKEN` : null),
};

const parse = (text: string, ignoreUnknownFields = false) => parseRuleFile(text, { checks, ignoreUnknownFields });

describe("parseRuleFile", () => {
  it("reads groups and rules with every field", () => {
    const r = parse(`
groups:
  - name: api
    interval: 30s
    query_offset: 1m
    limit: 10
    labels: {team: web}
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
        labels: {kind: ratio}
      - alert: HighErrors
        expr: job:errors:rate5m > 0.1
        for: 10m
        keep_firing_for: 5m
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.job }} errs"
  - name: other
    rules: []
`);
    expect(r.errors).toEqual([]);
    expect(r.groups).toEqual([
      {
        name: "api",
        intervalMs: 30_000,
        queryOffsetMs: 60_000,
        limit: 10,
        labels: { team: "web" },
        rules: [
          { record: "job:errors:rate5m", alert: "", expr: "sum by (job) (rate(errors_total[5m]))", forMs: 0, keepFiringForMs: 0, labels: { kind: "ratio" }, annotations: {} },
          {
            record: "",
            alert: "HighErrors",
            expr: "job:errors:rate5m > 0.1",
            forMs: 600_000,
            keepFiringForMs: 300_000,
            labels: { severity: "page" },
            annotations: { summary: "{{ $labels.job }} errs" },
          },
        ],
      },
      { name: "other", intervalMs: 0, limit: 0, labels: {}, rules: [] },
    ]);
  });

  it("takes an explicit query_offset of 0 as set, and leaves a missing one to the global default", () => {
    const r = parse("groups:\n  - name: a\n    query_offset: 0s\n    rules: []\n  - name: b\n    rules: []\n");
    expect(r.groups[0]!.queryOffsetMs).toBe(0);
    expect(r.groups[1]!.queryOffsetMs).toBeUndefined();
  });

  it("accepts empty files and files without groups", () => {
    expect(parse("")).toEqual({ groups: [], errors: [], warnings: [] });
    expect(parse("groups:\n")).toEqual({ groups: [], errors: [], warnings: [] });
  });

  it("reads anchors, aliases and merge keys as go-yaml does", () => {
    const r = parse(`
groups:
  - name: g
    rules:
      - &base
        alert: A
        expr: up == 0
        labels: &labels {severity: page}
      - <<: *base
        alert: B
      - record: r
        expr: up
        labels: *labels
`);
    expect(r.errors).toEqual([]);
    expect(r.groups[0]!.rules.map((x) => [x.alert || x.record, x.expr, x.labels])).toEqual([
      ["A", "up == 0", { severity: "page" }],
      ["B", "up == 0", { severity: "page" }],
      ["r", "up", { severity: "page" }],
    ]);
  });

  // The expected texts are promtool's (2.42 prints the same for these; Prometheus 3
  // adds the second 0:0 for a rule with neither record nor alert).
  it("reports rule problems with the group, rule index, name and line:column", () => {
    const r = parse(`groups:
  - name: a
    rules:
      - record: job:x
        expr: sum(x
      - alert: A
        record: foo
        expr: up
      - record: "a{b}"
        expr: up
        for: 5m
      - expr: up
      - record: y
        expr: up
        annotations: {x: y}
        keep_firing_for: 1m
      - alert: T
        expr: up
        labels: {__name__: x, "": y, ok: "BROKEN"}
        annotations: {"": z, s: "BROKEN too"}
      - record: z
  - name: a
    rules: []
  - name: ""
    labels: {__name__: n}
    rules: []
`);
    expect(r.groups).toEqual([]);
    expect(r.errors).toEqual([
      `5:15: group "a", rule 1, "job:x": could not parse expression: 1:6: parse error: unclosed left parenthesis`,
      `7:17: 6:16: group "a", rule 2, "A": only one of 'record' and 'alert' must be set`,
      `9:17: group "a", rule 3, "a{b}": invalid field 'for' in recording rule`,
      `9:17: group "a", rule 3, "a{b}": braces present in the recording rule name; should it be in expr?: a{b}`,
      `0:0: 0:0: group "a", rule 4, "": one of 'record' or 'alert' must be set`,
      `13:17: group "a", rule 5, "y": invalid field 'annotations' in recording rule`,
      `13:17: group "a", rule 5, "y": invalid field 'keep_firing_for' in recording rule`,
      `group "a", rule 6, "T": invalid label name: __name__`,
      `group "a", rule 6, "T": invalid label name: `,
      `group "a", rule 6, "T": invalid annotation name: `,
      `group "a", rule 6, "T": label "ok": template: __alert_T:1: BROKEN`,
      `group "a", rule 6, "T": annotation "s": template: __alert_T:1: BROKEN`,
      `0:0: group "a", rule 7, "z": field 'expr' must be set in rule`,
      `22:5: groupname: "a" is repeated in the same file`,
      `24:5: Groupname must not be empty`,
      `invalid label name: __name__`,
    ]);
  });

  it("accepts UTF-8 names as Prometheus 3 does", () => {
    const r = parse('groups:\n  - name: g\n    rules:\n      - record: "http.requests:rate5m"\n        expr: up\n        labels: {"service.name": api}\n');
    expect(r.errors).toEqual([]);
  });

  it("checks templates of alerting rules only", () => {
    const r = parse("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        labels: {x: BROKEN}\n");
    expect(r.errors).toEqual([]);
  });

  it("reports unknown fields and type mismatches as go-yaml v3 unmarshal errors", () => {
    const r = parse(`groups:
  - name: a
    labelz: {}
    limit: ten
    rules:
      - record: x
        expr: up
        annotation: {}
        labels: [a]
      - record: {a: b}
        expr: up
extra: 1
`);
    expect(r.errors).toEqual([
      [
        "yaml: unmarshal errors:",
        "  line 3: field labelz not found in type rulefmt.RuleGroup",
        "  line 4: cannot unmarshal !!str `ten` into int",
        "  line 8: field annotation not found in type rulefmt.Rule",
        "  line 9: cannot unmarshal !!seq into map[string]string",
        "  line 10: cannot unmarshal !!map into string",
        "  line 12: field extra not found in type rulefmt.RuleGroups",
      ].join("\n"),
    ]);
    // promtool's --ignore-unknown-fields.
    expect(parse("groups:\n  - name: a\n    labelz: {}\n    rules: []\n", true).errors).toEqual([]);
  });

  it("shortens long scalars in type errors like go-yaml", () => {
    expect(parse("groups:\n  - name: a\n    limit: abcdefghijkl\n    rules: []\n").errors).toEqual(["yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `abcdefg...` into int"]);
  });

  it("stops at a bad duration and reports it alone", () => {
    expect(parse("groups:\n  - name: a\n    interval: abc\n    limit: x\n    rules: []\n").errors).toEqual(['not a valid duration string: "abc"']);
    expect(parse("groups:\n  - name: a\n    rules:\n      - alert: x\n        expr: up\n        for: ''\n").errors).toEqual(["empty duration string"]);
  });

  it("reports duplicate keys and YAML syntax errors with their lines", () => {
    expect(parse("groups:\n  - name: a\n    name: b\n    rules: []\n").errors).toEqual(['yaml: unmarshal errors:\n  line 3: mapping key "name" already defined at line 2']);
    expect(parse("groups:\n  - name: a\n   rules: []\n").errors[0]).toMatch(/^yaml: line 3: /);
  });

  it("warns about further YAML documents and reads only the first", () => {
    const r = parse("groups: []\n---\ngroups:\n  - name: x\n    rules: []\n");
    expect(r.errors).toEqual([]);
    expect(r.groups).toEqual([]);
    expect(r.warnings).toEqual(["Multiple document yaml rules files are not supported, only the first document is processed"]);
  });
});

describe("duplicateRules", () => {
  it("finds rules with the same name and labels (group labels included), each once", () => {
    const r = parse(`groups:
  - name: a
    rules:
      - {record: x, expr: up}
      - {record: x, expr: up, labels: {}}
      - {record: x, expr: up, labels: {}}
      - {alert: x, expr: up, labels: {a: b}}
  - name: b
    labels: {a: b}
    rules:
      - {record: x, expr: up}
      - {record: y, expr: up}
`);
    expect(duplicateRules(r.groups)).toEqual([
      { metric: "x", labels: [] },
      { metric: "x", labels: [["a", "b"]] },
    ]);
  });
});
