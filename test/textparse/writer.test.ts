import { describe, expect, it } from "vitest";
import { labelsFromRecord, type Labels } from "../../src/model/labels.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { encodeFamilies, writeOpenMetrics, writeText, type MetricFamily } from "../../src/textparse/index.js";
import { page } from "./helpers.js";

const L = (rec: Record<string, string>): Labels => labelsFromRecord(rec);

const FAMILIES: MetricFamily[] = [
  {
    name: "http_requests_total",
    type: "counter",
    help: 'Requests.\nBy "code" and C:\\path.',
    samples: [
      { labels: L({ __name__: "http_requests_total", code: "200", path: 'a"b\\c\nd' }), value: 1027, timestamp: 1395066363000 },
      {
        labels: L({ __name__: "http_requests_total", code: "500", path: "/" }),
        value: 3,
        exemplar: { labels: L({ trace_id: "abc" }), value: 0.5, timestamp: 1395066363001 },
      },
    ],
  },
  {
    name: "rpc_seconds",
    type: "histogram",
    unit: "seconds",
    samples: [
      { labels: L({ __name__: "rpc_seconds_bucket", le: "0.5" }), value: 1 },
      { labels: L({ __name__: "rpc_seconds_bucket", le: "+Inf" }), value: 2 },
      { labels: L({ __name__: "rpc_seconds_sum" }), value: 1740552 },
      { labels: L({ __name__: "rpc_seconds_count" }), value: 2 },
    ],
  },
  {
    name: "weird",
    type: "stateset",
    samples: [
      { labels: L({ weird: "a" }), value: NaN },
      { labels: L({ weird: "b" }), value: -Infinity, timestamp: -1500 },
      { labels: L({ weird: "c" }), value: 9.6366e-5 },
    ],
  },
];

describe("writer", () => {
  it("writes the text format as client_golang does", () => {
    expect(writeText(FAMILIES)).toBe(
      page(
        '# HELP http_requests_total Requests.\\nBy "code" and C:\\\\path.',
        "# TYPE http_requests_total counter",
        'http_requests_total{code="200",path="a\\"b\\\\c\\nd"} 1027 1395066363000',
        'http_requests_total{code="500",path="/"} 3',
        "# TYPE rpc_seconds histogram",
        'rpc_seconds_bucket{le="0.5"} 1',
        'rpc_seconds_bucket{le="+Inf"} 2',
        "rpc_seconds_sum 1.740552e+06",
        "rpc_seconds_count 2",
        "# TYPE weird untyped",
        'weird{weird="a"} NaN',
        'weird{weird="b"} -Inf -1500',
        'weird{weird="c"} 9.6366e-05',
      ),
    );
  });

  it("writes OpenMetrics with suffix-less counter names, units, float values, second timestamps and # EOF", () => {
    expect(writeOpenMetrics(FAMILIES)).toBe(
      page(
        '# HELP http_requests Requests.\\nBy \\"code\\" and C:\\\\path.',
        "# TYPE http_requests counter",
        'http_requests_total{code="200",path="a\\"b\\\\c\\nd"} 1027.0 1395066363',
        'http_requests_total{code="500",path="/"} 3.0 # {trace_id="abc"} 0.5 1395066363.001',
        "# TYPE rpc_seconds histogram",
        "# UNIT rpc_seconds seconds",
        'rpc_seconds_bucket{le="0.5"} 1.0',
        'rpc_seconds_bucket{le="+Inf"} 2.0',
        "rpc_seconds_sum 1.740552e+06",
        "rpc_seconds_count 2.0",
        "# TYPE weird stateset",
        'weird{weird="a"} NaN',
        'weird{weird="b"} -Inf -1.5',
        'weird{weird="c"} 9.6366e-05',
        "# EOF",
      ),
    );
  });

  it("writes the staleness marker as a plain NaN", () => {
    expect(writeText([{ name: "s", type: "gauge", samples: [{ labels: L({ __name__: "s" }), value: STALE_NAN }] }])).toBe(
      page("# TYPE s gauge", "s NaN"),
    );
  });

  it("omits a unit that is not the name's suffix, which OpenMetrics would reject", () => {
    expect(writeOpenMetrics([{ name: "size", type: "gauge", unit: "bytes", samples: [] }])).toBe(page("# TYPE size gauge", "# EOF"));
  });

  it("streams one string per family", () => {
    expect([...encodeFamilies(FAMILIES, "text")]).toHaveLength(3);
    expect([...encodeFamilies(FAMILIES, "openmetrics")].at(-1)).toBe("# EOF\n");
  });

  it("refuses names that no parser would read back", () => {
    expect(() => writeText([{ name: "bad-name", type: "gauge", samples: [] }])).toThrow('invalid metric name "bad-name"');
    expect(() => writeText([{ name: "ok", type: "gauge", samples: [{ labels: [{ name: "a.b", value: "1" }], value: 1 }] }])).toThrow(
      'invalid label name "a.b"',
    );
  });
});
