import { describe, expect, it } from "vitest";
import { belongsToFamily, groupFamilies, parseExposition } from "../../src/textparse/index.js";
import { page } from "./helpers.js";

describe("families", () => {
  it("know which sample names each type owns", () => {
    expect(belongsToFamily("rpc", "histogram", "rpc_bucket")).toBe(true);
    expect(belongsToFamily("rpc", "histogram", "rpc")).toBe(false);
    expect(belongsToFamily("jobs", "counter", "jobs_total")).toBe(true);
    expect(belongsToFamily("jobs_total", "counter", "jobs_total")).toBe(true);
    expect(belongsToFamily("q", "gaugehistogram", "q_gsum")).toBe(true);
    expect(belongsToFamily("build", "info", "build_info")).toBe(true);
    expect(belongsToFamily("a", "gauge", "ab")).toBe(false);
  });

  it("group parsed entries, starting an untyped family for a sample no metadata announced", () => {
    const entries = parseExposition(
      page(
        "# TYPE lat_seconds histogram",
        "# UNIT lat_seconds seconds",
        'lat_seconds_bucket{le="+Inf"} 1',
        "lat_seconds_count 1",
        "lat_seconds_sum 0.5",
        "stray 3",
        "# HELP quiet No samples.",
        "# TYPE quiet gauge",
        "# TYPE build info",
        'build_info{v="1"} 1',
        "# EOF",
      ),
      "openmetrics",
    );
    expect(groupFamilies(entries).map((f) => [f.name, f.type, f.unit, f.help, f.samples.length])).toEqual([
      ["lat_seconds", "histogram", "seconds", "", 3],
      ["stray", "unknown", "", "", 1],
      ["quiet", "gauge", "", "No samples.", 0],
      ["build", "info", "", "", 1],
    ]);
  });
});
