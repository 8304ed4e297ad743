// The writer's text output checked by a real peer: `promtool check metrics` (Debian's
// prometheus package) parses it with client_golang's text parser and lints it.
import { describe, expect, it } from "vitest";
import { labelsFromRecord } from "../../src/model/labels.js";
import { writeText, type MetricFamily } from "../../src/textparse/index.js";
import { nodeExporterFamilies } from "../../bench/textparse.js";
import { PROMTOOL, promtoolCheckMetrics, requireBinary } from "./peers.js";

describe("promtool check metrics", () => {
  it("accepts the writer's node_exporter-shaped page without a single finding", () => {
    requireBinary(PROMTOOL, "prometheus");
    expect(promtoolCheckMetrics(writeText(nodeExporterFamilies()))).toEqual({ code: 0, output: "" });
  });

  it("parses escapes, special values and timestamps the way the writer printed them", () => {
    requireBinary(PROMTOOL, "prometheus");
    const families: MetricFamily[] = [
      {
        name: "edge_cases_total",
        type: "counter",
        help: 'Help with a backslash \\ a newline\n and "quotes".',
        samples: [
          { labels: labelsFromRecord({ __name__: "edge_cases_total", path: 'C:\\dir\\"file"\nnext', utf8: "Grüße, 世界 😀" }), value: 1e-300 },
          { labels: labelsFromRecord({ __name__: "edge_cases_total", path: "inf" }), value: Infinity, timestamp: -1 },
          { labels: labelsFromRecord({ __name__: "edge_cases_total", path: "nan" }), value: NaN, timestamp: 1700000000123 },
          { labels: labelsFromRecord({ __name__: "edge_cases_total", path: "big" }), value: 1.7976931348623157e308 },
        ],
      },
    ];
    expect(promtoolCheckMetrics(writeText(families))).toEqual({ code: 0, output: "" });
  });

  it("really parses its input: a damaged page is rejected", () => {
    requireBinary(PROMTOOL, "prometheus");
    const broken = writeText(nodeExporterFamilies()).replace('{cpu="3",mode="idle"}', '{cpu="3" mode="idle"}');
    const result = promtoolCheckMetrics(broken);
    expect(result.code).toBe(1);
    expect(result.output).toContain("text format parsing error");
  });
});
