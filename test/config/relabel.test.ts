import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { isValidRelabelTarget, type RelabelConfig } from "../../src/config/relabel.js";
import { job } from "./helpers.js";

function relabels(yaml: string): RelabelConfig[] {
  return parseConfig(job(`    relabel_configs:\n${yaml}`)).scrapeConfigs[0]!.relabelConfigs;
}

describe("relabel configs", () => {
  it("applies Prometheus' defaults", () => {
    expect(relabels("      - target_label: env\n        replacement: prod\n")).toEqual([
      { sourceLabels: [], separator: ";", regex: "(.*)", replacement: "prod", action: "replace", targetLabel: "env" },
    ]);
  });

  it("keeps every field of every action in the documented shape", () => {
    const got = relabels(`
      - {source_labels: [__address__], regex: '([^:]+):\\d+', target_label: host, replacement: '$1'}
      - {source_labels: [a, b], separator: '-', regex: 'x-.*', action: keep}
      - {source_labels: [a], regex: 'tmp', action: drop}
      - {source_labels: [a], target_label: b, action: keepequal}
      - {source_labels: [a], target_label: b, action: dropequal}
      - {source_labels: [__address__], modulus: 8, target_label: __tmp_hash, action: hashmod}
      - {regex: '__meta_(.+)', replacement: 'm_$1', action: labelmap}
      - {regex: 'tmp_.*', action: labeldrop}
      - {regex: '__.*|job|instance', action: labelkeep}
      - {source_labels: [a], target_label: a_lower, action: lowercase}
      - {source_labels: [a], target_label: a_upper, action: uppercase}
      - {source_labels: [a], target_label: '\${1}_x', regex: '(.*)'}
`);
    expect(got).toEqual([
      { sourceLabels: ["__address__"], separator: ";", regex: "([^:]+):\\d+", targetLabel: "host", replacement: "$1", action: "replace" },
      { sourceLabels: ["a", "b"], separator: "-", regex: "x-.*", replacement: "$1", action: "keep" },
      { sourceLabels: ["a"], separator: ";", regex: "tmp", replacement: "$1", action: "drop" },
      { sourceLabels: ["a"], separator: ";", regex: "(.*)", targetLabel: "b", replacement: "$1", action: "keepequal" },
      { sourceLabels: ["a"], separator: ";", regex: "(.*)", targetLabel: "b", replacement: "$1", action: "dropequal" },
      { sourceLabels: ["__address__"], separator: ";", regex: "(.*)", modulus: 8, targetLabel: "__tmp_hash", replacement: "$1", action: "hashmod" },
      { sourceLabels: [], separator: ";", regex: "__meta_(.+)", replacement: "m_$1", action: "labelmap" },
      { sourceLabels: [], separator: ";", regex: "tmp_.*", replacement: "$1", action: "labeldrop" },
      { sourceLabels: [], separator: ";", regex: "__.*|job|instance", replacement: "$1", action: "labelkeep" },
      { sourceLabels: ["a"], separator: ";", regex: "(.*)", targetLabel: "a_lower", replacement: "$1", action: "lowercase" },
      { sourceLabels: ["a"], separator: ";", regex: "(.*)", targetLabel: "a_upper", replacement: "$1", action: "uppercase" },
      { sourceLabels: ["a"], separator: ";", regex: "(.*)", targetLabel: "${1}_x", replacement: "$1", action: "replace" },
    ]);
  });

  it("parses metric_relabel_configs, alert and write relabel configs the same way", () => {
    const c = parseConfig(`
alerting:
  alert_relabel_configs: [{regex: replica, action: labeldrop}]
  alertmanagers:
    - static_configs: [{targets: ['am:9093']}]
      relabel_configs: [{source_labels: [__address__], target_label: x}]
scrape_configs:
  - job_name: x
    metric_relabel_configs: [{source_labels: [__name__], regex: 'go_.*', action: drop}]
remote_write:
  - url: http://rw/
    write_relabel_configs: [{source_labels: [__name__], regex: 'up', action: keep}]
`);
    expect(c.alerting.alertRelabelConfigs[0]!.action).toBe("labeldrop");
    expect(c.alerting.alertmanagers[0]!.relabelConfigs[0]!.targetLabel).toBe("x");
    expect(c.scrapeConfigs[0]!.metricRelabelConfigs[0]).toEqual({ sourceLabels: ["__name__"], separator: ";", regex: "go_.*", replacement: "$1", action: "drop" });
    expect(c.remoteWrite[0]!.writeRelabelConfigs[0]!.action).toBe("keep");
  });

  it("relabel target templates follow Prometheus' rule", () => {
    for (const ok of ["a", "_a", "a1", "$1", "${1}", "${name}_x", "a$1b", "$a$b"]) expect(isValidRelabelTarget(ok), ok).toBe(true);
    for (const bad of ["", "1a", "a-b", "$", "${}", "${a", "a.b", "$-"]) expect(isValidRelabelTarget(bad), bad).toBe(false);
    // Linear on long inputs (a naive regex backtracks exponentially here).
    const start = Date.now();
    expect(isValidRelabelTarget("$a".repeat(5000) + "!")).toBe(false);
    expect(Date.now() - start).toBeLessThan(500);
  });
});
