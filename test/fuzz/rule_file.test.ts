import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRuleFile, type ParsedRuleFile } from "../../src/config/rule_file.js";
import { ruleFileChecks } from "../../src/rules/rule_checks.js";
import { fuzz, fuzzTimeout } from "./fuzz_options.js";
import { aliasBomb, damagedText, deepNesting, mutatedDocument } from "./yaml_mutations.js";
import { bestTime } from "../support/growth.js";

/** Fuzzing the rule file loader with the checks the rule manager uses (PromQL and
 * alert templates). Its documented way to fail is the `errors` list of its result,
 * Prometheus' messages; it never throws, and a file that has errors yields no groups. */

function fail(msg: string): never {
  throw new Error(msg);
}

const SEEDS = [
  `
groups:
  - name: node
    interval: 30s
    limit: 10
    labels: {team: infra}
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.instance }} of {{ $labels.job }} is down"
          value: "{{ $value | humanize }}"
`,
  `
groups:
  - name: a
    query_offset: 1m
    rules:
      - record: "a:b"
        expr: rate(x[5m]) > 0
        labels: {k: v}
  - name: b
    rules: []
`,
];

function parsed(y: string): ParsedRuleFile {
  let r: ParsedRuleFile;
  try {
    r = parseRuleFile(y, { checks: ruleFileChecks });
  } catch (e) {
    fail(`${JSON.stringify(y.slice(0, 300))} threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
  for (const e of r.errors) if (typeof e !== "string" || e.trim() === "") fail(`${JSON.stringify(y.slice(0, 300))}: an empty error`);
  if (r.errors.length > 0 && r.groups.length > 0) fail(`${JSON.stringify(y.slice(0, 300))}: groups despite errors`);
  return r;
}

describe("fuzzing the rule file loader", () => {
  it("loads the seeds", () => {
    for (const y of SEEDS) expect(parsed(y).errors).toEqual([]);
  });

  it("structurally mutated rule files parse or report errors, never throw", () => {
    let refused = 0;
    fuzz(
      fc.property(mutatedDocument(SEEDS), (y) => {
        if (parsed(y).errors.length > 0) refused++;
      }),
      6,
    );
    expect(refused).toBeGreaterThan(0);
  }, fuzzTimeout());

  it("damaged and random text parse or report errors, never throw", () => {
    fuzz(fc.property(fc.oneof(damagedText(SEEDS), fc.string({ unit: "binary", maxLength: 100 })), (y) => void parsed(y)), 6);
  }, fuzzTimeout());

  it("alias bombs and deep nesting end quickly", () => {
    const honest = SEEDS.join("\n").repeat(1);
    parsed(honest);
    const baseline = Math.max(bestTime(() => void parsed(honest), 3, 0), 2);
    const placed = fc.oneof(
      aliasBomb.map(({ anchors, top }) => `${anchors}groups:\n  - name: g\n    labels: ${top}\n    rules: []\n`),
      aliasBomb.map(({ anchors, top }) => `${anchors}groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        labels: ${top}\n`),
      aliasBomb.map(({ anchors, top }) => `${anchors}groups: ${top}\n`),
      // Far deeper than the yaml library's composer could take: refused by the depth check.
      deepNesting(30_000).map((d) => `groups:\n  - name: g\n    rules: ${d}\n`),
      // Thousands of aliases: each resolved once, not by walking the document.
      fc.integer({ min: 1000, max: 3000 }).map((n) => `x: &e up\ngroups:\n  - name: g\n    rules:\n${"      - record: r\n        expr: *e\n".repeat(n)}`),
    );
    fuzz(
      fc.property(placed, (y) => {
        const ms = bestTime(() => void parsed(y), 3, 0);
        if (ms > baseline * 50 + 50 * (y.length / 1000)) fail(`${JSON.stringify(y.slice(0, 200))}... (${y.length} chars) took ${ms.toFixed(0)} ms, an honest file ${baseline.toFixed(1)} ms`);
      }),
      60,
    );
  }, fuzzTimeout());
});
