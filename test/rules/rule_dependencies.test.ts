import { describe, expect, it } from "vitest";
import { evaluationRuns } from "../../src/rules/rule_dependencies.js";
import { Harness, ruleFile, SETTINGS } from "./helpers.js";

function runsOf(rules: string): string[][] {
  const h = new Harness();
  h.manager.update([ruleFile(`groups:\n  - name: g\n    rules:\n${rules}`)], SETTINGS);
  const g = h.manager.get("rules.yml;g")!;
  return evaluationRuns(g.rules).map((run) => run.map((i) => g.rules[i]!.name));
}

describe("evaluation runs", () => {
  it("keep independent rules together and start a new run at a dependency", () => {
    const runs = runsOf(
      [
        "      - {record: a, expr: sum(m)}",
        "      - {record: b, expr: sum(n)}",
        "      - {record: c, expr: a * 2}",
        "      - {record: d, expr: 'rate(m[5m])'}",
        "      - {record: e, expr: 'max_over_time(c[10m:1m])'}",
      ].join("\n"),
    );
    expect(runs).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("see reads of ALERTS and ALERTS_FOR_STATE as dependencies on alerting rules", () => {
    expect(
      runsOf(["      - {alert: A, expr: m > 1}", "      - {alert: B, expr: n > 1}", '      - {record: r, expr: \'count(ALERTS{alertname="B"})\'}', "      - {record: s, expr: count(ALERTS_FOR_STATE)}"].join("\n")),
    ).toEqual([["A", "B"], ["r", "s"]]);
    expect(runsOf(["      - {alert: A, expr: m > 1}", '      - {record: r, expr: \'count(ALERTS{alertname="Other"})\'}'].join("\n"))).toEqual([["A", "r"]]);
  });

  it("start a run at an alerting rule whose templates may query storage", () => {
    const queried = "      - {alert: A, expr: m > 1, annotations: {summary: '{{ query \"sum(a)\" | first | value }}'}}";
    expect(runsOf(["      - {record: a, expr: sum(m)}", queried, "      - {record: c, expr: sum(n)}"].join("\n"))).toEqual([["a"], ["A", "c"]]);
    const plain = "      - {alert: A, expr: m > 1, annotations: {summary: '{{ $value }}'}}";
    expect(runsOf(["      - {record: a, expr: sum(m)}", plain, "      - {record: c, expr: sum(n)}"].join("\n"))).toEqual([["a", "A", "c"]]);
  });

  it("match regex name selectors against rule names", () => {
    expect(runsOf(["      - {record: job:a, expr: sum(m)}", "      - {record: x, expr: '{__name__=~\"job:.*\"}'}"].join("\n"))).toEqual([["job:a"], ["x"]]);
  });

  it("start a run at a rule with a selector without a metric name, as it may read any earlier rule", () => {
    expect(runsOf(["      - {record: a, expr: sum(m)}", "      - {record: b, expr: 'count({job=\"x\"})'}", "      - {record: c, expr: sum(n)}"].join("\n"))).toEqual([["a"], ["b", "c"]]);
    // Later rules still depend on it by its name.
    expect(runsOf(["      - {record: a, expr: sum(m)}", "      - {record: b, expr: 'count({job=\"x\"})'}", "      - {record: c, expr: b + 1}"].join("\n"))).toEqual([["a"], ["b"], ["c"]]);
    // The first rule has nothing earlier to read.
    expect(runsOf(["      - {record: b, expr: 'count({job=\"x\"})'}", "      - {record: c, expr: sum(n)}"].join("\n"))).toEqual([["b", "c"]]);
  });
});
