import { describe, expect, it } from "vitest";
import { isStaleNaN } from "../../src/model/sample.js";
import { parseExposition, type SampleEntry } from "../../src/textparse/index.js";
import { page, parseFailure, parseSamples } from "./helpers.js";

describe("text format 0.0.4", () => {
  it("parses a page with metadata, labels, timestamps, a histogram and a summary", () => {
    const text = page(
      "# HELP api_requests_total Requests handled, by verb and status.",
      "# TYPE api_requests_total counter",
      'api_requests_total{verb="get",status="200"} 1027 1395066363000',
      'api_requests_total{verb="get",status="500"}    3 1395066363000',
      "",
      "# A free comment is ignored.",
      "uptime_seconds 12.47",
      'odd_metric{reason="divide by zero"} +Inf -3982045',
      "# HELP req_seconds Request latency.",
      "# TYPE req_seconds histogram",
      'req_seconds_bucket{le="0.05"} 24054',
      'req_seconds_bucket{le="1"} 133988',
      'req_seconds_bucket{le="+Inf"} 144320',
      "req_seconds_sum 53423",
      "req_seconds_count 144320",
      "# TYPE rpc_seconds summary",
      'rpc_seconds{quantile="0.5"} 4773',
      'rpc_seconds{quantile="1"} 76656',
      "rpc_seconds_sum 1.7560473e+07",
      "rpc_seconds_count 2693",
    );
    const entries = parseExposition(text, "text");
    expect(entries.filter((e) => e.kind !== "sample")).toEqual([
      { kind: "help", name: "api_requests_total", help: "Requests handled, by verb and status." },
      { kind: "type", name: "api_requests_total", type: "counter" },
      { kind: "help", name: "req_seconds", help: "Request latency." },
      { kind: "type", name: "req_seconds", type: "histogram" },
      { kind: "type", name: "rpc_seconds", type: "summary" },
    ]);
    expect(parseSamples(text, "text")).toEqual([
      { labels: { __name__: "api_requests_total", status: "200", verb: "get" }, value: 1027, timestamp: 1395066363000 },
      { labels: { __name__: "api_requests_total", status: "500", verb: "get" }, value: 3, timestamp: 1395066363000 },
      { labels: { __name__: "uptime_seconds" }, value: 12.47 },
      { labels: { __name__: "odd_metric", reason: "divide by zero" }, value: Infinity, timestamp: -3982045 },
      { labels: { __name__: "req_seconds_bucket", le: "0.05" }, value: 24054 },
      // Prometheus normalises integral bucket bounds to OpenMetrics' float form.
      { labels: { __name__: "req_seconds_bucket", le: "1.0" }, value: 133988 },
      { labels: { __name__: "req_seconds_bucket", le: "+Inf" }, value: 144320 },
      { labels: { __name__: "req_seconds_sum" }, value: 53423 },
      { labels: { __name__: "req_seconds_count" }, value: 144320 },
      { labels: { __name__: "rpc_seconds", quantile: "0.5" }, value: 4773 },
      { labels: { __name__: "rpc_seconds", quantile: "1.0" }, value: 76656 },
      { labels: { __name__: "rpc_seconds_sum" }, value: 17560473 },
      { labels: { __name__: "rpc_seconds_count" }, value: 2693 },
    ]);
  });

  it("returns labels sorted by name, __name__ included, whatever the input order", () => {
    const [s] = parseExposition('m{zone="b",Alpha="x",job="j"} 1\n', "text") as SampleEntry[];
    expect(s!.labels.map((l) => l.name)).toEqual(["Alpha", "__name__", "job", "zone"]);
    expect(s!.name).toBe("m");
  });

  it("unescapes \\\\, \\\" and \\n in label values and keeps other backslashes", () => {
    const [s] = parseSamples('f{path="C:\\\\DIR\\\\F.TXT",msg="no file:\\n\\"F.TXT\\"",re="a\\tb\\d"} 1\n', "text");
    expect(s!.labels).toEqual({ __name__: "f", path: "C:\\DIR\\F.TXT", msg: 'no file:\n"F.TXT"', re: "a\\tb\\d" });
  });

  it("allows blanks and tabs around every token, a trailing comma and trailing blanks", () => {
    const text = "  \t m { a = \"1\" ,\tb=\"2\", }\t 5 \t 1000 \t\n";
    expect(parseSamples(text, "text")).toEqual([{ labels: { __name__: "m", a: "1", b: "2" }, value: 5, timestamp: 1000 }]);
  });

  it("accepts an empty label set, whitespace-only lines and a missing final newline", () => {
    expect(parseSamples("a{} 1\n   \t\n\nb 2", "text")).toEqual([
      { labels: { __name__: "a" }, value: 1 },
      { labels: { __name__: "b" }, value: 2 },
    ]);
    expect(parseExposition("", "text")).toEqual([]);
  });

  it("drops labels with empty values, as an empty value means absent", () => {
    expect(parseSamples('m{a="",b="x"} 1\n', "text")).toEqual([{ labels: { __name__: "m", b: "x" }, value: 1 }]);
  });

  it("accepts colons in metric names but not in label names", () => {
    expect(parseSamples("job:rate5m:sum 1\n", "text")[0]!.labels.__name__).toBe("job:rate5m:sum");
    expect(parseFailure('m{a:b="1"} 1\n', "text").reason).toBe('expected equal, got ":b"');
  });

  it("parses the float spellings Go's ParseFloat accepts and nothing else", () => {
    const values = ["NaN", "nan", "+Inf", "-Inf", "Inf", "inf", "+infinity", "-Infinity", "1e3", "1E-3", ".5", "5.", "-0", "007", "+1.5e+2"];
    const parsed = parseSamples(values.map((v, i) => `m${i} ${v}`).join("\n"), "text").map((s) => s.value);
    expect(parsed).toEqual([NaN, NaN, Infinity, -Infinity, Infinity, Infinity, Infinity, -Infinity, 1000, 0.001, 0.5, 5, -0, 7, 150]);
    for (const bad of ["1" + "0".repeat(400), "0x1p3", "1_000", "+nan", "1e", "e3", ".", "1.2.3", "infinit", "1e400", "0x10", "--1", "１"]) {
      expect(parseFailure(`m ${bad}\n`, "text").reason, bad).toBe(`invalid value ${JSON.stringify(bad)}`);
    }
  });

  it("never produces the staleness marker, even for NaN", () => {
    const [s] = parseExposition("m NaN\n", "text") as SampleEntry[];
    expect(Number.isNaN(s!.value) && !isStaleNaN(s!.value)).toBe(true);
  });

  it("reads timestamps as int64 milliseconds", () => {
    expect(parseSamples("m 1 -5\nm 1 +7\nm 1 9223372036854775807\n", "text").map((s) => s.timestamp)).toEqual([
      -5, 7, 9223372036854775807,
    ]);
    expect(parseFailure("m 1 9223372036854775808\n", "text").reason).toBe(
      'expected integer timestamp in milliseconds, got "9223372036854775808"',
    );
    expect(parseFailure("m 1 1.5\n", "text").reason).toBe('expected integer timestamp in milliseconds, got "1.5"');
  });

  it("normalises le only in histograms and quantile only in summaries", () => {
    const text = page(
      "# TYPE h histogram",
      'h_bucket{le="1e-3"} 1',
      'h_bucket{le="10"} 2',
      'h_bucket{le="+inf"} 3',
      'h_bucket{le="not-a-number"} 4',
      "# TYPE s summary",
      's{quantile="0.50"} 1',
      "# TYPE g gauge",
      'g{le="1",quantile="1"} 1',
      'untyped_after{le="1"} 1',
    );
    expect(parseSamples(text, "text").map((s) => s.labels.le ?? s.labels.quantile)).toEqual([
      "0.001",
      "10.0",
      "+Inf",
      "not-a-number",
      "0.5",
      "1",
      "1",
    ]);
  });

  it("reports untyped as unknown and unescapes HELP's \\\\ and \\n only", () => {
    const entries = parseExposition(
      page("# HELP m line one\\nline \\\\two\\\"", "# TYPE m untyped", "# HELP n", "# HELP o   spaced  "),
      "text",
    );
    expect(entries).toEqual([
      { kind: "help", name: "m", help: 'line one\nline \\two\\"' },
      { kind: "type", name: "m", type: "unknown" },
      { kind: "help", name: "n", help: "" },
      { kind: "help", name: "o", help: "  spaced  " },
    ]);
  });

  it("treats anything that is not '# HELP' or '# TYPE' after a comment sign as a comment", () => {
    const text = page("#HELP m x", "# UNIT m_seconds seconds", "# EOF", "#", "# help m x", "# TYPE", "m 1");
    expect(parseExposition(text, "text")).toEqual([
      { kind: "sample", name: "m", labels: [{ name: "__name__", value: "m" }], value: 1, timestamp: undefined, exemplar: undefined },
    ]);
  });

  it("rejects metadata the format forbids: repeats, and TYPE after the samples", () => {
    expect(parseFailure(page("# HELP m a", "# HELP m b"), "text").message).toBe(
      'line 2, column 8: second HELP line for metric name "m"',
    );
    expect(parseFailure(page("# TYPE m gauge", "m 1", "# HELP x y", "# TYPE m gauge"), "text").message).toBe(
      'line 4, column 8: second TYPE line for metric name "m"',
    );
    expect(parseFailure(page("h_bucket{le=\"1\"} 1", "# TYPE h histogram"), "text").message).toBe(
      'line 2, column 8: TYPE line for metric name "h" after its samples',
    );
    expect(parseFailure(page("# TYPE m gaugehistogram"), "text").reason).toBe('invalid metric type "gaugehistogram"');
  });

  it("rejects exemplars, which only OpenMetrics has", () => {
    expect(parseFailure('m_total 1 # {id="a"} 1\n', "text").reason).toBe(
      'expected integer timestamp in milliseconds, got "#"',
    );
  });
});
