import { describe, expect, it } from "vitest";
import { MetricStore, lastPushSuccessful } from "../../src/pushgateway/metric_store.js";
import { OWN_FAMILIES } from "../../src/pushgateway/own_metrics.js";
import { parseTextFamilies } from "../../src/textparse/dto_text.js";
import { dtoToFamilies } from "../../src/textparse/dto_exposition.js";
import { writeText } from "../../src/textparse/writer.js";

const T0 = 1_700_000_000_000;

function store() {
  return new MetricStore(OWN_FAMILIES);
}

function exposed(s: MetricStore): string[] {
  return writeText(dtoToFamilies(s.gather([])))
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("push_"));
}

describe("the gateway's metric store", () => {
  it("PUT replaces a group's families, POST only those it carries", () => {
    const s = store();
    expect(s.push({ job: "j" }, parseTextFamilies("a 1\nb 2\n"), true, T0).ok).toBe(true);
    expect(s.push({ job: "j" }, parseTextFamilies("a 10\n"), false, T0 + 1).ok).toBe(true);
    expect(exposed(s)).toEqual(['a{instance="",job="j"} 10', 'b{instance="",job="j"} 2']);
    expect(s.push({ job: "j" }, parseTextFamilies("c 3\n"), true, T0 + 2).ok).toBe(true);
    expect(exposed(s)).toEqual(['c{instance="",job="j"} 3']);
  });

  it("stamps push_time_seconds on success and push_failure_time_seconds on failure", () => {
    const s = store();
    const ok = s.push({ job: "j" }, parseTextFamilies("a 1\n"), true, T0);
    expect(ok.group.families.get("push_time_seconds")!.family.metrics[0]!.value).toBe(T0 / 1000);
    expect(ok.group.families.get("push_failure_time_seconds")!.family.metrics[0]!.value).toBe(0);
    const bad = s.push({ job: "j" }, parseTextFamilies("a 1 123\n"), true, T0 + 5000);
    expect(bad).toMatchObject({ ok: false, error: "pushed metrics must not have timestamps" });
    expect(bad.group.families.get("push_failure_time_seconds")!.family.metrics[0]!.value).toBe((T0 + 5000) / 1000);
    expect(lastPushSuccessful(bad.group)).toBe(false);
    // The rejected push changed nothing else.
    expect(exposed(s)).toEqual(['a{instance="",job="j"} 1']);
  });

  it("rejects a type that differs from another group's family of the same name", () => {
    const s = store();
    s.push({ job: "a" }, parseTextFamilies("# TYPE m gauge\nm 1\n"), true, T0);
    const r = s.push({ job: "b" }, parseTextFamilies("# TYPE m counter\nm 1\n"), true, T0);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.error).toBe('collected metric "m" { label:<name:"instance" value:"" > label:<name:"job" value:"b" > counter:<value:1 > } is not a GAUGE');
    // The same group may change its own family's type: nothing else holds the name.
    expect(s.push({ job: "a" }, parseTextFamilies("# TYPE m counter\nm 1\n"), true, T0).ok).toBe(true);
  });

  it("rejects the same series from two groups and lists every error", () => {
    const s = store();
    s.push({ job: "a" }, parseTextFamilies('x{instance="i"} 1\ny{instance="i"} 1\n'), true, T0);
    const r = s.push({ job: "a", instance: "i" }, parseTextFamilies("x 2\ny 2\n"), true, T0);
    expect(r.ok).toBe(false);
    const msg = r.ok ? "" : r.error;
    expect(msg.startsWith("2 error(s) occurred:\n* collected metric \"x\"")).toBe(true);
    expect(msg).toContain("was collected before with the same name and label values");
  });

  it("overrides pushed grouping labels and keeps the type of the gateway's own families", () => {
    const s = store();
    s.push({ job: "j", instance: "i" }, parseTextFamilies('m{job="fake",instance="x",a="1"} 1\n'), true, T0);
    expect(exposed(s)).toEqual(['m{a="1",instance="i",job="j"} 1']);
    const r = s.push({ job: "j" }, parseTextFamilies("# TYPE pushgateway_build_info counter\npushgateway_build_info 1\n"), false, T0);
    expect(r.ok ? "" : r.error).toBe("gathered metric family pushgateway_build_info has type COUNTER but should have GAUGE");
  });

  it("reports summary and histogram suffix clashes", () => {
    const s = store();
    s.push({ job: "j" }, parseTextFamilies('# TYPE lat summary\nlat{quantile="0.5"} 1\nlat_sum 1\nlat_count 1\n'), true, T0);
    const r = s.push({ job: "k" }, parseTextFamilies("lat_count 3\n"), true, T0);
    expect(r.ok ? "" : r.error).toBe('collected metric named "lat_count" collides with previously collected summary named "lat"');
  });

  it("delete removes exactly the group with those labels", () => {
    const s = store();
    s.push({ job: "j" }, parseTextFamilies("a 1\n"), true, T0);
    s.push({ job: "j", instance: "i" }, parseTextFamilies("a 2\n"), true, T0);
    expect(s.delete({ job: "j" })).toBeDefined();
    expect(s.delete({ job: "nope" })).toBeUndefined();
    expect(exposed(s)).toEqual(['a{instance="i",job="j"} 2']);
    // The freed series can be pushed again by another group.
    expect(s.push({ job: "j", zone: "z" }, parseTextFamilies('a{instance=""} 3\n'), true, T0).ok).toBe(true);
  });
});

describe("text pushes become client_model families as client_golang parses them", () => {
  it("joins a summary's and a histogram's series into one metric per label set", () => {
    const fams = parseTextFamilies(
      '# TYPE s summary\ns{a="1",quantile="0.9"} 5\ns_sum{a="1"} 9\ns_count{a="1"} 3\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 4\nh_sum 7\nh_count 4\n',
    );
    expect(fams.map((f) => [f.name, f.type, f.metrics.length])).toEqual([
      ["s", "SUMMARY", 1],
      ["h", "HISTOGRAM", 1],
    ]);
    expect(fams[0]!.metrics[0]).toMatchObject({ labels: [{ name: "a", value: "1" }], quantiles: [{ quantile: 0.9, value: 5 }], sampleSum: 9, sampleCount: 3 });
    expect(fams[1]!.metrics[0]!.buckets).toEqual([
      { upperBound: 1, cumulativeCount: 2 },
      { upperBound: Infinity, cumulativeCount: 4 },
    ]);
  });

  it("words its errors as the text parser of client_golang", () => {
    expect(() => parseTextFamilies('# TYPE s summary\ns{quantile="x"} 1\n')).toThrow("text format parsing error in line 2: expected float as value for 'quantile' label, got \"x\"");
    expect(() => parseTextFamilies("a{ 1\n")).toThrow(/^text format parsing error in line 1: /);
  });
});
