import { describe, expect, it } from "vitest";
import type { TargetGroup } from "../../src/discovery/target_group.js";
import { labelsFromRecord, labelsToRecord } from "../../src/model/labels.js";
import { alertmanagersFromGroup, AlertmanagerSet } from "../../src/notifier/alertmanager_set.js";
import { compileRelabelConfigs, relabelConfig } from "../../src/relabel/index.js";
import { parseConfig } from "../../src/config/load.js";

function group(targets: Record<string, string>[], labels: Record<string, string> = {}): TargetGroup {
  return { source: "0", targets: targets.map(labelsFromRecord), labels: labelsFromRecord(labels) };
}

const CFG = { scheme: "http" as const, pathPrefix: "/prefix", apiVersion: "v2" as const };

describe("alertmanagersFromGroup", () => {
  it("sets scheme and alerts path over the target's own, and group labels under the target's", () => {
    const g = group([{ __address__: "am1:9093", __scheme__: "https", dc: "target" }], { dc: "group", zone: "z1" });
    const r = alertmanagersFromGroup(g, CFG, []);
    if (typeof r === "string") throw new Error(r);
    expect(r.active.map((a) => [a.url, labelsToRecord(a.labels)])).toEqual([
      ["http://am1:9093/prefix/api/v2/alerts", { __address__: "am1:9093", __alerts_path__: "/prefix/api/v2/alerts", __scheme__: "http", dc: "target", zone: "z1" }],
    ]);
  });

  it("lets relabel_configs rewrite __address__, __scheme__ and __alerts_path__, and drop targets", () => {
    const relabel = compileRelabelConfigs([
      relabelConfig({ sourceLabels: ["__address__"], regex: "skip.*", action: "drop" }),
      relabelConfig({ sourceLabels: ["__address__"], regex: "(.*):9093", targetLabel: "__address__", replacement: "$1:443" }),
      relabelConfig({ targetLabel: "__scheme__", replacement: "https" }),
      relabelConfig({ sourceLabels: ["__alerts_path__"], targetLabel: "__alerts_path__", replacement: "/proxy$1" }),
    ]);
    const r = alertmanagersFromGroup(group([{ __address__: "am1:9093" }, { __address__: "skip-me:9093" }]), CFG, relabel);
    if (typeof r === "string") throw new Error(r);
    expect(r.active.map((a) => a.url)).toEqual(["https://am1:443/proxy/prefix/api/v2/alerts"]);
    expect(r.dropped.map((a) => a.url)).toEqual(["http://skip-me:9093/prefix/api/v2/alerts"]);
    expect(labelsToRecord(r.dropped[0]!.labels)).toEqual({ __address__: "skip-me:9093", __alerts_path__: "/prefix/api/v2/alerts", __scheme__: "http" });
  });

  it("rejects the whole group when one kept address is not a host", () => {
    const r = alertmanagersFromGroup(group([{ __address__: "ok:9093" }, { __address__: "http://bad:9093" }]), CFG, []);
    expect(r).toBe('"http://bad:9093" is not a valid hostname');
  });
});

describe("AlertmanagerSet", () => {
  it("de-duplicates Alertmanagers by URL across groups, keeping the first", async () => {
    const cfg = parseConfig(`
alerting:
  alertmanagers:
    - static_configs:
        - targets: [a:9093, b:9093]
        - targets: [a:9093]
          labels: {other: x}
`).alerting.alertmanagers[0]!;
    const set = new AlertmanagerSet(cfg, {});
    expect(await set.refresh(true)).toEqual([]);
    expect(set.alertmanagers.map((a) => a.url)).toEqual(["http://a:9093/api/v2/alerts", "http://b:9093/api/v2/alerts"]);
    expect(set.alertmanagers[0]!.labels.some((l) => l.name === "other")).toBe(false);
  });
});
