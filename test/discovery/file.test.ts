import { describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { PartialRefreshError } from "../../src/discovery/discoverer.js";
import { FileDiscoverer, globToRegExp, validateFileSDConfig } from "../../src/discovery/file.js";
import type { TargetGroup } from "../../src/discovery/target_group.js";
import { FakeKV } from "./fakes.js";

function summary(groups: readonly TargetGroup[]) {
  return groups.map((g) => ({ source: g.source, targets: g.targets.map((t) => labelsToRecord(t)["__address__"]), labels: labelsToRecord(g.labels) }));
}

async function partial(p: Promise<unknown>): Promise<PartialRefreshError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PartialRefreshError);
    return e as PartialRefreshError;
  }
  throw new Error("expected a PartialRefreshError");
}

describe("file_sd over KV", () => {
  it("reads JSON and YAML files matched by a glob, with sources and __meta_filepath", async () => {
    const kv = new FakeKV();
    kv.data.set("targets/a.json", JSON.stringify([{ targets: ["a:1"], labels: { env: "prod" } }, { targets: ["a:2"] }]));
    kv.data.set("targets/b.yml", "- targets: ['b:1']\n  labels: {__meta_filepath: overridden}\n");
    kv.data.set("targets/c.txt", "not a target file");
    kv.data.set("targets/sub/d.json", "[]");
    const d = new FileDiscoverer({ files: ["targets/*.json", "targets/*.yml"] }, kv);
    expect(summary(await d.refresh())).toEqual([
      { source: "targets/a.json:0", targets: ["a:1"], labels: { env: "prod", __meta_filepath: "targets/a.json" } },
      { source: "targets/a.json:1", targets: ["a:2"], labels: { __meta_filepath: "targets/a.json" } },
      { source: "targets/b.yml:0", targets: ["b:1"], labels: { __meta_filepath: "targets/b.yml" } },
    ]);
    expect(kv.lists).toEqual(["targets/", "targets/"]);
    expect(d.refreshIntervalMs).toBe(5 * 60_000);
  });

  it("reads a literal path directly, and a missing one yields no groups and no error", async () => {
    const kv = new FakeKV();
    const d = new FileDiscoverer({ files: ["nodes.json"], refreshInterval: 30_000 }, kv);
    expect(await d.refresh()).toEqual([]);
    kv.data.set("nodes.json", '[{"targets":["n:1"]}]');
    expect(summary(await d.refresh()).map((g) => g.targets)).toEqual([["n:1"]]);
    expect(kv.lists).toEqual([]);
    expect(d.refreshIntervalMs).toBe(30_000);
  });

  it("keeps a file's last good groups when it becomes unreadable or invalid, and reports it", async () => {
    const kv = new FakeKV();
    kv.data.set("sd/a.json", '[{"targets":["a:1"]}]');
    kv.data.set("sd/b.json", '[{"targets":["b:1"]}]');
    const d = new FileDiscoverer({ files: ["sd/*.json"] }, kv);
    await d.refresh();

    kv.data.set("sd/a.json", "[{ broken");
    kv.data.set("sd/b.json", '[{"targets":["b:2"]}]');
    let e = await partial(d.refresh());
    expect(e.message).toMatch(/^error reading file "sd\/a.json": /);
    expect(summary(e.groups).map((g) => g.targets)).toEqual([["a:1"], ["b:2"]]);

    kv.failRead.add("sd/b.json");
    e = await partial(d.refresh());
    expect(e.message).toContain("KV read sd/b.json failed");
    expect(summary(e.groups).map((g) => g.targets)).toEqual([["a:1"], ["b:2"]]);

    kv.failRead.clear();
    kv.data.set("sd/a.json", '[{"targets":["a:3"]}]');
    expect(summary(await d.refresh()).map((g) => g.targets)).toEqual([["a:3"], ["b:2"]]);
  });

  it("drops the groups of files that disappear and of groups removed from a file", async () => {
    const kv = new FakeKV();
    kv.data.set("sd/a.json", '[{"targets":["a:1"]},{"targets":["a:2"]}]');
    kv.data.set("sd/b.json", '[{"targets":["b:1"]}]');
    const d = new FileDiscoverer({ files: ["sd/*.json"] }, kv);
    expect((await d.refresh()).length).toBe(3);
    kv.data.delete("sd/b.json");
    kv.data.set("sd/a.json", '[{"targets":["a:1"]}]');
    expect(summary(await d.refresh()).map((g) => g.source)).toEqual(["sd/a.json:0"]);
  });

  it("keeps the last good groups of a pattern whose listing fails", async () => {
    const kv = new FakeKV();
    kv.data.set("sd/a.json", '[{"targets":["a:1"]}]');
    kv.data.set("static.json", '[{"targets":["s:1"]}]');
    const d = new FileDiscoverer({ files: ["sd/*.json", "static.json"] }, kv);
    await d.refresh();
    kv.failList = true;
    kv.data.set("static.json", '[{"targets":["s:2"]}]');
    const e = await partial(d.refresh());
    expect(e.message).toContain('error listing "sd/*.json": KV list failed');
    expect(summary(e.groups).map((g) => g.targets).sort()).toEqual([["a:1"], ["s:2"]]);
  });

  it("reads a file matched by two patterns once", async () => {
    const kv = new FakeKV();
    kv.data.set("sd/a.json", '[{"targets":["a:1"]}]');
    const d = new FileDiscoverer({ files: ["sd/*.json", "sd/a.json"] }, kv);
    expect((await d.refresh()).length).toBe(1);
    expect(kv.reads).toEqual(["sd/a.json"]);
  });

  it("validates file names like Prometheus", () => {
    expect(() => validateFileSDConfig({ files: [] })).toThrow("file service discovery config must contain at least one path name");
    expect(() => validateFileSDConfig({ files: ["targets.txt"] })).toThrow('path name "targets.txt" is not valid for file discovery');
    expect(() => validateFileSDConfig({ files: ["*/targets.json"] })).toThrow("is not valid for file discovery");
    expect(() => validateFileSDConfig({ files: ["a/b*.YAML", "x.yml", "d/*.json"] })).not.toThrow();
  });
});

describe("globToRegExp (Go's filepath.Match)", () => {
  it("matches *, ?, classes and escapes without crossing /", () => {
    const m = (p: string, s: string) => globToRegExp(p).test(s);
    expect(m("a/*.json", "a/x.json")).toBe(true);
    expect(m("a/*.json", "a/.json")).toBe(true);
    expect(m("a/*.json", "a/b/x.json")).toBe(false);
    expect(m("a/?.json", "a/x.json")).toBe(true);
    expect(m("a/?.json", "a/xy.json")).toBe(false);
    expect(m("a/[a-c].json", "a/b.json")).toBe(true);
    expect(m("a/[a-c].json", "a/d.json")).toBe(false);
    expect(m("a/[^a-c].json", "a/d.json")).toBe(true);
    expect(m("a/[^a-c].json", "a/b.json")).toBe(false);
    expect(m("a/\\*.json", "a/*.json")).toBe(true);
    expect(m("a/\\*.json", "a/x.json")).toBe(false);
    expect(m("a.b/(x)+.json", "a.b/(x)+.json")).toBe(true);
    expect(m("a.b/*.json", "aXb/x.json")).toBe(false);
  });

  it("classes never match the separator, and many stars stay linear", () => {
    const m = (p: string, s: string) => globToRegExp(p).test(s);
    expect(m("a[+-0]b", "a/b")).toBe(false);
    expect(m("a[+-0]b", "a.b")).toBe(true);
    expect(m("a[/]b", "a/b")).toBe(false);
    expect(m("a[^x]b", "a/b")).toBe(false);
    // A backtracking RegExp takes O(n^8) here, far past the test timeout.
    const long = "a".repeat(3000);
    expect(m("*a*a*a*a*a*a*a*b", long)).toBe(false);
    expect(m("*a*a*a*a*a*a*a*b", `${long}b`)).toBe(true);
  });

  it("rejects malformed patterns", () => {
    for (const bad of ["a/[.json", "a/[].json", "a/[z-a].json", "a/\\"]) expect(() => globToRegExp(bad), bad).toThrow("syntax error in pattern");
  });
});
