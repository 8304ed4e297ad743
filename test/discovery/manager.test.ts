import { describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { PartialRefreshError, type Discoverer } from "../../src/discovery/discoverer.js";
import { discover, DiscoveryConfigError, DiscoveryManager, providersFor } from "../../src/discovery/manager.js";
import type { TargetGroup } from "../../src/discovery/target_group.js";
import { FakeKV, fakeFetch, json } from "./fakes.js";

function group(source: string, ...addresses: string[]): TargetGroup {
  return { source, targets: addresses.map((a) => [{ name: "__address__", value: a }]), labels: [] };
}

/** A discoverer that plays back a script of results. */
class Scripted implements Discoverer {
  calls = 0;
  seeded: readonly TargetGroup[] | null = null;
  constructor(
    readonly refreshIntervalMs: number,
    private readonly script: (() => TargetGroup[])[],
  ) {}
  async refresh(): Promise<TargetGroup[]> {
    const step = this.script[Math.min(this.calls, this.script.length - 1)]!;
    this.calls++;
    return step();
  }
  seed(groups: readonly TargetGroup[]): void {
    this.seeded = groups;
  }
}

describe("DiscoveryManager", () => {
  it("builds one provider per SD config, static configs coalesced", () => {
    const kv = new FakeKV();
    const { fetch } = fakeFetch(() => json([]));
    const names = providersFor(
      {
        staticConfigs: [{ targets: ["a:1"] }, { targets: ["b:1"] }],
        fileSdConfigs: [{ files: ["a.json"] }, { files: ["b/*.yml"] }],
        httpSdConfigs: [{ url: "http://sd/x" }],
        dnsSdConfigs: [{ names: ["_x._tcp.example.com"] }],
      },
      { read: kv.read, list: kv.list, fetch },
    ).map((p) => p.name);
    expect(names).toEqual(["static/0", "file/0", "file/1", "http/0", "dns/0"]);
    expect(() => providersFor({ httpSdConfigs: [{ url: "http://sd/x" }] }, {})).toThrow(DiscoveryConfigError);
    expect(() => providersFor({ fileSdConfigs: [{ files: ["a.json"] }] }, { fetch })).toThrow(DiscoveryConfigError);
  });

  it("refreshes only the providers that are due, unless forced", async () => {
    let now = 0;
    const fast = new Scripted(10_000, [() => [group("f", "a:1")]]);
    const slow = new Scripted(60_000, [() => [group("s", "b:1")]]);
    const m = new DiscoveryManager([{ name: "fast", discoverer: fast }, { name: "slow", discoverer: slow }], { now: () => now });
    expect(m.nextRefreshAt()).toBe(0);
    await m.refresh();
    expect([fast.calls, slow.calls]).toEqual([1, 1]);
    expect(m.nextRefreshAt()).toBe(10_000);
    now = 9_999;
    await m.refresh();
    expect([fast.calls, slow.calls]).toEqual([1, 1]);
    now = 10_000;
    await m.refresh();
    expect([fast.calls, slow.calls]).toEqual([2, 1]);
    await m.refresh({ force: true });
    expect([fast.calls, slow.calls]).toEqual([3, 2]);
    expect(m.groups().map((g) => `${g.provider}:${g.group.source}`)).toEqual(["fast:f", "slow:s"]);
  });

  it("keeps the last good groups of a failing provider and exposes its error", async () => {
    let now = 0;
    const d = new Scripted(1, [
      () => [group("g", "a:1")],
      () => {
        throw new Error("boom");
      },
      () => {
        throw new PartialRefreshError("one file failed", [group("g", "a:1"), group("h", "c:1")]);
      },
      () => [group("g", "a:2")],
    ]);
    const m = new DiscoveryManager([{ name: "p", discoverer: d }], { now: () => now });
    let [st] = await m.refresh();
    expect(st).toEqual({ name: "p", refreshIntervalMs: 1, groups: [group("g", "a:1")], lastRefreshAt: 0, lastSuccessAt: 0 });
    now = 5;
    [st] = await m.refresh();
    expect(st).toEqual({ name: "p", refreshIntervalMs: 1, groups: [group("g", "a:1")], error: "boom", lastRefreshAt: 5, lastSuccessAt: 0 });
    now = 10;
    [st] = await m.refresh();
    expect(st!.groups.map((g) => g.source)).toEqual(["g", "h"]);
    expect(st!.error).toBe("one file failed");
    expect(st!.lastSuccessAt).toBe(0);
    now = 15;
    [st] = await m.refresh();
    expect(st).toEqual({ name: "p", refreshIntervalMs: 1, groups: [group("g", "a:2")], lastRefreshAt: 15, lastSuccessAt: 15 });
  });

  it("shares one run between concurrent refresh calls", async () => {
    const d = new Scripted(1, [() => [group("g", "a:1")]]);
    const m = new DiscoveryManager([{ name: "p", discoverer: d }]);
    const [a, b] = await Promise.all([m.refresh({ force: true }), m.refresh({ force: true })]);
    expect(d.calls).toBe(1);
    expect(a).toEqual(b);
  });

  it("restores a snapshot as last good state and seeds the providers", async () => {
    const first = new DiscoveryManager([{ name: "p", discoverer: new Scripted(1, [() => [group("g", "a:1")]]) }], { now: () => 7 });
    await first.refresh();
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<DiscoveryManager["snapshot"]>;

    const failing = new Scripted(1, [
      () => {
        throw new Error("down");
      },
    ]);
    const second = new DiscoveryManager([{ name: "p", discoverer: failing }, { name: "q", discoverer: new Scripted(1, [() => []]) }], { now: () => 100 });
    second.restore(snap);
    expect(failing.seeded).toEqual([group("g", "a:1")]);
    const [st] = await second.refresh();
    expect(st).toEqual({ name: "p", refreshIntervalMs: 1, groups: [group("g", "a:1")], error: "down", lastRefreshAt: 100, lastSuccessAt: 7 });
  });

  it("seeds file and DNS providers so a failure after a restart keeps their groups", async () => {
    const kv = new FakeKV();
    kv.data.set("sd/a.json", '[{"targets":["a:1"]}]');
    const cfg = { fileSdConfigs: [{ files: ["sd/*.json"] }] };
    const first = DiscoveryManager.forScrapeConfig(cfg, { read: kv.read, list: kv.list });
    await first.refresh();
    const second = DiscoveryManager.forScrapeConfig(cfg, { read: kv.read, list: kv.list });
    second.restore(first.snapshot());
    kv.failRead.add("sd/a.json");
    const [st] = await second.refresh({ force: true });
    expect(st!.error).toContain("KV read sd/a.json failed");
    expect(st!.groups.map((g) => g.targets.map(labelsToRecord))).toEqual([[{ __address__: "a:1" }]]);
  });

  it("discover() runs every provider of a scrape config once", async () => {
    const kv = new FakeKV();
    kv.data.set("file.yml", "- targets: [f:1]\n");
    const { fetch } = fakeFetch((url) =>
      url.hostname === "sd" ? json([{ targets: ["h:1"] }]) : json({ Status: 0, Answer: [{ name: "x", type: 1, TTL: 1, data: "10.0.0.1" }] }, 200, "application/dns-json"),
    );
    const status = await discover(
      {
        staticConfigs: [{ targets: ["s:1"] }],
        fileSdConfigs: [{ files: ["file.yml"] }],
        httpSdConfigs: [{ url: "http://sd/targets" }],
        dnsSdConfigs: [{ names: ["db.example.com"], type: "A", port: 5432 }],
      },
      { read: kv.read, list: kv.list, fetch },
    );
    expect(status.map((s) => [s.name, s.error, s.groups.flatMap((g) => g.targets.map((t) => labelsToRecord(t)["__address__"]))])).toEqual([
      ["static/0", undefined, ["s:1"]],
      ["file/0", undefined, ["f:1"]],
      ["http/0", undefined, ["h:1"]],
      ["dns/0", undefined, ["10.0.0.1:5432"]],
    ]);
  });
});
