import { describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { StaticDiscoverer } from "../../src/discovery/static.js";
import { parseTargetGroupsJSON, parseTargetGroupsYAML, TargetGroupError } from "../../src/discovery/target_group.js";

describe("parseTargetGroupsJSON (Prometheus' file_sd / http_sd JSON format)", () => {
  it("reads targets and labels", () => {
    expect(parseTargetGroupsJSON('[{"targets":["a:1","b:2"],"labels":{"env":"prod"}},{"targets":[]}]')).toEqual([
      { targets: ["a:1", "b:2"], labels: { env: "prod" } },
      { targets: [], labels: {} },
    ]);
  });

  it("reads null as an empty list and null strings as empty", () => {
    expect(parseTargetGroupsJSON("null")).toEqual([]);
    expect(parseTargetGroupsJSON('[{"targets":null,"labels":null}]')).toEqual([{ targets: [], labels: {} }]);
    expect(parseTargetGroupsJSON('[{"targets":[null],"labels":{"a":null}}]')).toEqual([{ targets: [""], labels: { a: "" } }]);
  });

  it("matches field names case-insensitively, like Go's encoding/json", () => {
    expect(parseTargetGroupsJSON('[{"Targets":["a:1"],"LABELS":{"x":"1"}}]')).toEqual([{ targets: ["a:1"], labels: { x: "1" } }]);
  });

  it("rejects what Prometheus rejects", () => {
    expect(() => parseTargetGroupsJSON("[null]")).toThrow("nil target group item found");
    expect(() => parseTargetGroupsJSON('[{"targets":["a"],"extra":1}]')).toThrow('json: unknown field "extra"');
    expect(() => parseTargetGroupsJSON('[{"labels":{"a-b":"1"}}]')).toThrow('"a-b" is not a valid label name');
    expect(() => parseTargetGroupsJSON('[{"labels":{"a":1}}]')).toThrow(TargetGroupError);
    expect(() => parseTargetGroupsJSON('[{"targets":[1]}]')).toThrow(TargetGroupError);
    expect(() => parseTargetGroupsJSON('{"targets":[]}')).toThrow("cannot unmarshal object");
    expect(() => parseTargetGroupsJSON("[{")).toThrow(TargetGroupError);
  });
});

describe("parseTargetGroupsYAML", () => {
  it("reads the YAML form, keeping scalars as written", () => {
    const text = ["- targets: ['a:1', b:2]", "  labels:", "    env: prod", "    version: 1.10", "    enabled: yes", "- targets: [c:3]"].join("\n");
    expect(parseTargetGroupsYAML(text)).toEqual([
      { targets: ["a:1", "b:2"], labels: { env: "prod", version: "1.10", enabled: "yes" } },
      { targets: ["c:3"], labels: {} },
    ]);
  });

  it("reads an empty document as no groups, and resolves aliases", () => {
    expect(parseTargetGroupsYAML("")).toEqual([]);
    expect(parseTargetGroupsYAML("# nothing\n")).toEqual([]);
    expect(parseTargetGroupsYAML("- targets: [a:1]\n  labels: &l {x: y}\n- targets: [b:2]\n  labels: *l\n")).toEqual([
      { targets: ["a:1"], labels: { x: "y" } },
      { targets: ["b:2"], labels: { x: "y" } },
    ]);
  });

  it("is strict like yaml.UnmarshalStrict", () => {
    expect(() => parseTargetGroupsYAML("- targets: [a]\n  target: [b]\n")).toThrow(/field target not found/);
    expect(() => parseTargetGroupsYAML("- targets: [a]\n  targets: [b]\n")).toThrow(/unique/);
    expect(() => parseTargetGroupsYAML("- labels: {'a b': x}\n")).toThrow('"a b" is not a valid label name');
    expect(() => parseTargetGroupsYAML("- ~\n")).toThrow("nil target group item found");
    expect(() => parseTargetGroupsYAML("targets: [a]\n")).toThrow(TargetGroupError);
    expect(() => parseTargetGroupsYAML("- targets: [[a]]\n")).toThrow(TargetGroupError);
  });
});

describe("StaticDiscoverer", () => {
  it("makes one group per static config with sources 0, 1, ...", async () => {
    const groups = await new StaticDiscoverer([
      { targets: ["a:1", "b:2"], labels: { env: "prod" } },
      { targets: ["c:3"] },
    ]).refresh();
    expect(groups.map((g) => g.source)).toEqual(["0", "1"]);
    expect(groups[0]!.targets.map(labelsToRecord)).toEqual([{ __address__: "a:1" }, { __address__: "b:2" }]);
    expect(labelsToRecord(groups[0]!.labels)).toEqual({ env: "prod" });
    expect(groups[1]!.labels).toEqual([]);
  });

  it("rejects invalid label names", () => {
    expect(() => new StaticDiscoverer([{ targets: ["a"], labels: { "0x": "1" } }])).toThrow('"0x" is not a valid label name');
  });
});
