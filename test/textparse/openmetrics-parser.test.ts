import { describe, expect, it } from "vitest";
import { parseExposition } from "../../src/textparse/index.js";
import { page, parseFailure, parseSamples } from "./helpers.js";

describe("OpenMetrics 1.0", () => {
  it("parses counters with _created, units, exemplars and second timestamps", () => {
    const text = page(
      "# TYPE jobs counter",
      "# UNIT jobs",
      '# HELP jobs Jobs run, with a "quoted" word and a \\\\ backslash.',
      'jobs_total{queue="a"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879602.89',
      'jobs_created{queue="a"} 1520430000.123 1520879607.789',
      "# TYPE rx_bytes gauge",
      "# UNIT rx_bytes bytes",
      "rx_bytes 1e+06",
      "# EOF",
    );
    const entries = parseExposition(text, "openmetrics");
    expect(entries.filter((e) => e.kind !== "sample")).toEqual([
      { kind: "type", name: "jobs", type: "counter" },
      { kind: "unit", name: "jobs", unit: "" },
      { kind: "help", name: "jobs", help: 'Jobs run, with a "quoted" word and a \\ backslash.' },
      { kind: "type", name: "rx_bytes", type: "gauge" },
      { kind: "unit", name: "rx_bytes", unit: "bytes" },
    ]);
    expect(parseSamples(text, "openmetrics")).toEqual([
      {
        labels: { __name__: "jobs_total", queue: "a" },
        value: 17,
        timestamp: 1520879607789,
        exemplar: { labels: { trace_id: "KOO5S4vxi0o" }, value: 0.67, timestamp: 1520879602890 },
      },
      { labels: { __name__: "jobs_created", queue: "a" }, value: 1520430000.123, timestamp: 1520879607789 },
      { labels: { __name__: "rx_bytes" }, value: 1000000 },
    ]);
  });

  it("parses every OpenMetrics type, with exemplars on buckets and empty exemplar label sets", () => {
    const text = page(
      "# TYPE build info",
      'build_info{version="1.2"} 1',
      "# TYPE feature stateset",
      'feature{feature="a"} 1',
      'feature{feature="b"} 0',
      "# TYPE lat histogram",
      'lat_bucket{le="0.1"} 8 # {} 0.054',
      'lat_bucket{le="1"} 9 # {id="x"} 0.5 123',
      'lat_bucket{le="+Inf"} 10',
      "lat_count 10",
      "lat_sum 5.5",
      "lat_created 1.5e9",
      "# TYPE queue gaugehistogram",
      'queue_bucket{le="+Inf"} 3',
      "queue_gcount 3",
      "queue_gsum 1",
      "# TYPE other unknown",
      "other -1.5",
      "# EOF",
    );
    const types = parseExposition(text, "openmetrics").flatMap((e) => (e.kind === "type" ? [e.type] : []));
    expect(types).toEqual(["info", "stateset", "histogram", "gaugehistogram", "unknown"]);
    const samples = parseSamples(text, "openmetrics");
    expect(samples).toHaveLength(13);
    expect(samples[3]).toEqual({ labels: { __name__: "lat_bucket", le: "0.1" }, value: 8, exemplar: { labels: {}, value: 0.054 } });
    expect(samples[4]).toEqual({
      labels: { __name__: "lat_bucket", le: "1.0" },
      value: 9,
      exemplar: { labels: { id: "x" }, value: 0.5, timestamp: 123000 },
    });
    expect(samples[8]).toEqual({ labels: { __name__: "lat_created" }, value: 1.5e9 });
  });

  it("converts second timestamps to exact milliseconds and truncates sub-millisecond parts", () => {
    const ts = parseSamples(page("a 1 0.001", "a 1 -1.5", "a 1 1e3", "a 1 1.0009", "a 1 1700000000.1", "# EOF"), "openmetrics");
    expect(ts.map((s) => s.timestamp)).toEqual([1, -1500, 1000000, 1000, 1700000000100]);
    expect(parseFailure(page("a 1 NaN", "# EOF"), "openmetrics").reason).toBe('invalid timestamp "NaN"');
    expect(parseFailure(page("a 1 +Inf", "# EOF"), "openmetrics").reason).toBe('invalid timestamp "+Inf"');
  });

  it("requires # EOF as the last line, with at most a line feed after it", () => {
    expect(parseExposition("a 1\n# EOF", "openmetrics")).toHaveLength(1);
    expect(parseExposition("# EOF\n", "openmetrics")).toEqual([]);
    expect(parseFailure("a 1\n", "openmetrics").message).toBe("line 2, column 1: data does not end with # EOF");
    expect(parseFailure("", "openmetrics").message).toBe("line 1, column 1: data does not end with # EOF");
    expect(parseFailure("# EOF\n\n", "openmetrics").message).toBe("line 2, column 1: unexpected data after # EOF");
    expect(parseFailure("# EOF\na 1\n", "openmetrics").message).toBe("line 2, column 1: unexpected data after # EOF");
    expect(parseFailure("# EOF \n", "openmetrics").reason).toBe('expected end of line after # EOF, got " "');
  });

  it("is strict about spacing: one space between tokens, none inside the label set", () => {
    const cases: Array<[string, string]> = [
      ["a  1", 'line 1, column 3: expected value, got " "'],
      ["a\t1", 'line 1, column 2: expected space before label set or value, got "\\t"'],
      ["a 1 ", "line 1, column 5: expected timestamp or exemplar, got end of line"],
      ['a{b="1", c="2"} 1', 'line 1, column 9: expected label name, got " "'],
      ['a{b = "1"} 1', 'line 1, column 4: expected equal, got " "'],
      [" a 1", 'line 1, column 1: expected metric name, got " "'],
      ["", "line 1, column 1: unexpected empty line"],
      ["# a comment", 'line 1, column 3: expected HELP, TYPE, UNIT or EOF, got "a"'],
      ["#TYPE a gauge", 'line 1, column 2: expected space after "#", got "TYPE"'],
      ['a 1 2 #{x="y"} 1', 'line 1, column 7: expected exemplar "# {", got "#"'],
      ['a 1 # {x="y"}', "line 1, column 14: expected space before exemplar value, got end of line"],
      ['a 1 # {x="y"} 1 2 3', 'line 1, column 18: expected end of line after exemplar, got " "'],
    ];
    for (const [line, message] of cases) {
      expect(parseFailure(page(line, "# EOF"), "openmetrics").message, line).toBe(message);
    }
  });

  it("accepts a trailing comma in a label set, as Prometheus does", () => {
    expect(parseSamples(page('a{b="1",} 1', "# EOF"), "openmetrics")[0]!.labels).toEqual({ __name__: "a", b: "1" });
  });

  it("checks types, units and metadata repeats within a family", () => {
    expect(parseFailure(page("# TYPE a untyped", "# EOF"), "openmetrics").reason).toBe('invalid metric type "untyped"');
    expect(parseFailure(page("# UNIT a_bytes seconds", "# EOF"), "openmetrics").reason).toBe(
      'unit "seconds" not a suffix of metric "a_bytes"',
    );
    expect(parseFailure(page("# UNIT abytes bytes", "# EOF"), "openmetrics").reason).toBe(
      'unit "bytes" not a suffix of metric "abytes"',
    );
    expect(parseFailure(page("# TYPE a gauge", "# HELP a x", "# TYPE a counter", "# EOF"), "openmetrics").message).toBe(
      'line 3, column 8: second TYPE line for metric name "a"',
    );
  });

  it("accepts a family name reused after samples, which client_golang emits for go_memstats_alloc_bytes", () => {
    const text = page(
      "# HELP go_memstats_alloc_bytes Bytes in use.",
      "# TYPE go_memstats_alloc_bytes gauge",
      "go_memstats_alloc_bytes 1.7e+06",
      "# HELP go_memstats_alloc_bytes Bytes allocated, even if freed.",
      "# TYPE go_memstats_alloc_bytes counter",
      "go_memstats_alloc_bytes_total 1.7e+06",
      "# EOF",
    );
    expect(parseSamples(text, "openmetrics").map((s) => s.labels.__name__)).toEqual([
      "go_memstats_alloc_bytes",
      "go_memstats_alloc_bytes_total",
    ]);
  });

  it("limits exemplar labels to 128 characters, counting code points", () => {
    const ok = "é".repeat(127);
    expect(parseSamples(page(`a_total 1 # {i="${ok}"} 1`, "# EOF"), "openmetrics")[0]!.exemplar!.labels.i).toBe(ok);
    expect(parseFailure(page(`a_total 1 # {i="${ok}x"} 1`, "# EOF"), "openmetrics").reason).toBe(
      "exemplar labels have 129 characters, more than 128",
    );
  });
});
