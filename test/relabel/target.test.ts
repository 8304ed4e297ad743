import { describe, expect, it } from "vitest";
import { compileRelabelConfigs } from "../../src/relabel/relabel.js";
import { relabelConfig, type RelabelConfig } from "../../src/relabel/relabel_config.js";
import {
  formatModelDuration,
  mergeTargetLabels,
  parseModelDuration,
  populateTargetLabels,
  scrapeUrl,
  splitHostPort,
  targetsFromGroup,
  type PopulateOptions,
  type TargetScrapeConfig,
} from "../../src/relabel/target.js";
import { L, rec } from "./helpers.js";

const CFG: TargetScrapeConfig = {
  jobName: "node",
  scheme: "http",
  metricsPath: "/metrics",
  scrapeInterval: 60_000,
  scrapeTimeout: 10_000,
};

function populate(discovered: Record<string, string>, relabel: Partial<RelabelConfig>[] = [], cfg: Partial<TargetScrapeConfig> = {}, opts: PopulateOptions = {}) {
  return populateTargetLabels(L(discovered), { ...CFG, ...cfg }, compileRelabelConfigs(relabel.map(relabelConfig)), opts);
}

describe("populateTargetLabels", () => {
  it("fills in the scrape config's defaults and defaults instance to the address", () => {
    const t = populate({ __address__: "10.0.0.1:9100", env: "prod" });
    expect(t.error).toBeUndefined();
    expect(t.dropped).toBeUndefined();
    expect(rec(t.discoveredLabels)).toEqual({
      __address__: "10.0.0.1:9100",
      __metrics_path__: "/metrics",
      __scheme__: "http",
      __scrape_interval__: "1m",
      __scrape_timeout__: "10s",
      env: "prod",
      job: "node",
    });
    expect(rec(t.labels)).toEqual({ env: "prod", instance: "10.0.0.1:9100", job: "node" });
    expect(rec(t.internalLabels)).toEqual({ ...rec(t.discoveredLabels), instance: "10.0.0.1:9100" });
    expect(t.scrapeUrl).toBe("http://10.0.0.1:9100/metrics");
    expect(t.scrapeIntervalMs).toBe(60_000);
    expect(t.scrapeTimeoutMs).toBe(10_000);
  });

  it("lets discovered labels override the defaults", () => {
    const t = populate({ __address__: "h:1", __scheme__: "https", __metrics_path__: "/m", job: "other", instance: "mine" });
    expect(rec(t.labels)).toEqual({ instance: "mine", job: "other" });
    expect(t.scrapeUrl).toBe("https://h:1/m");
  });

  it("turns params into __param_ labels (first value) and the URL query, labels winning", () => {
    const params = { module: ["http_2xx", "ignored"], "a b": ["x y&z"] };
    const t = populate({ __address__: "h:1" }, [], { params });
    expect(rec(t.discoveredLabels)["__param_module"]).toBe("http_2xx");
    expect(t.scrapeUrl).toBe("http://h:1/metrics?a+b=x+y%26z&module=http_2xx&module=ignored");
    const own = populate({ __address__: "h:1", __param_module: "tcp" }, [], { params });
    expect(rec(own.discoveredLabels)["__param_module"]).toBe("tcp");
    expect(own.scrapeUrl).toBe("http://h:1/metrics?a+b=x+y%26z&module=tcp&module=ignored");
  });

  it("supports the blackbox exporter pattern (relabel the address into a param)", () => {
    const t = populate({ __address__: "https://example.com/health" }, [
      { sourceLabels: ["__address__"], targetLabel: "__param_target" },
      { sourceLabels: ["__param_target"], targetLabel: "instance" },
      { targetLabel: "__address__", replacement: "127.0.0.1:9115" },
    ], { metricsPath: "/probe", params: { module: ["http_2xx"] } });
    expect(t.error).toBeUndefined();
    expect(rec(t.labels)).toEqual({ instance: "https://example.com/health", job: "node" });
    expect(t.scrapeUrl).toBe("http://127.0.0.1:9115/probe?module=http_2xx&target=https%3A%2F%2Fexample.com%2Fhealth");
  });

  it("reports a dropped target with its discovered labels", () => {
    const t = populate({ __address__: "h:1", env: "dev" }, [{ sourceLabels: ["env"], regex: "prod", action: "keep" }]);
    expect(t.dropped).toBe(true);
    expect(t.labels).toEqual([]);
    expect(rec(t.discoveredLabels)).toMatchObject({ __address__: "h:1", env: "dev", job: "node" });
  });

  it("requires an address after relabeling", () => {
    expect(populate({ env: "x" }).error).toBe("no address");
    expect(populate({ __address__: "h:1" }, [{ targetLabel: "__address__", replacement: "" }]).error).toBe("no address");
  });

  it("rejects addresses containing a slash (scheme or path)", () => {
    expect(populate({ __address__: "http://h:1" }).error).toBe(`"http://h:1" is not a valid hostname`);
    expect(populate({ __address__: "h:1/metrics" }).error).toBe(`"h:1/metrics" is not a valid hostname`);
  });

  it("removes __meta_ labels, keeps other internal ones out of the public labels", () => {
    const t = populate({ __address__: "h:1", __meta_x: "1", __tmp_y: "2", __custom: "3" }, [
      { sourceLabels: ["__meta_x"], targetLabel: "x" },
    ]);
    expect(rec(t.labels)).toEqual({ instance: "h:1", job: "node", x: "1" });
    expect(rec(t.internalLabels)).toMatchObject({ __tmp_y: "2", __custom: "3" });
    expect(rec(t.internalLabels)["__meta_x"]).toBeUndefined();
    expect(rec(t.discoveredLabels)["__meta_x"]).toBe("1");
  });

  it("takes interval and timeout from the relabeled labels and checks them", () => {
    const ok = populate({ __address__: "h:1", __scrape_interval__: "15s", __scrape_timeout__: "5s" });
    expect(ok.scrapeIntervalMs).toBe(15_000);
    expect(ok.scrapeTimeoutMs).toBe(5_000);
    expect(populate({ __address__: "h:1", __scrape_interval__: "abc" }).error).toBe(`error parsing scrape interval: not a valid duration string: "abc"`);
    expect(populate({ __address__: "h:1" }, [{ targetLabel: "__scrape_interval__", replacement: "" }]).error).toBe(
      "error parsing scrape interval: empty duration string",
    );
    expect(populate({ __address__: "h:1", __scrape_interval__: "0s" }).error).toBe("scrape interval cannot be 0");
    expect(populate({ __address__: "h:1", __scrape_timeout__: "0" }).error).toBe("scrape timeout cannot be 0");
    expect(populate({ __address__: "h:1", __scrape_timeout__: "x" }).error).toBe(`error parsing scrape timeout: not a valid duration string: "x"`);
    expect(populate({ __address__: "h:1", __scrape_timeout__: "2m" }).error).toBe(`scrape timeout cannot be greater than scrape interval ("2m" > "1m")`);
  });

  it("leaves addresses without a port alone (Prometheus 3)", () => {
    const t = populate({ __address__: "example.com" });
    expect(rec(t.labels)["instance"]).toBe("example.com");
    expect(t.scrapeUrl).toBe("http://example.com/metrics");
    expect(rec(populate({ __address__: "example.com:80" }).labels)["instance"]).toBe("example.com:80");
  });

  it("adds :80 / :443 with defaultPorts (Prometheus 2)", () => {
    const v2 = { defaultPorts: true };
    expect(rec(populate({ __address__: "example.com" }, [], {}, v2).labels)["instance"]).toBe("example.com:80");
    expect(rec(populate({ __address__: "example.com" }, [], { scheme: "https" }, v2).internalLabels)["__address__"]).toBe("example.com:443");
    expect(rec(populate({ __address__: "[::1]" }, [], {}, v2).labels)["instance"]).toBe("[::1]:80");
    expect(rec(populate({ __address__: "h:1" }, [], {}, v2).labels)["instance"]).toBe("h:1");
    // "::1" cannot take a port (too many colons): left alone.
    expect(rec(populate({ __address__: "::1" }, [], {}, v2).labels)["instance"]).toBe("::1");
    expect(populate({ __address__: "h", __scheme__: "ftp" }, [], {}, v2).error).toBe(`invalid scheme: "http"`);
  });

  it("rejects label values that are not valid UTF-8", () => {
    expect(populate({ __address__: "h:1", bad: "\ud800" }).error).toBe(`invalid label value for "bad": "\\ud800"`);
  });
});

describe("targetsFromGroup", () => {
  it("merges group labels under target labels and prefixes errors like Prometheus", () => {
    const group = {
      source: "file.json:0",
      targets: [L({ __address__: "a:1", env: "own" }), L({ env: "x" })],
      labels: L({ env: "group", dc: "eu" }),
    };
    const ts = targetsFromGroup(group, CFG, []);
    expect(rec(ts[0]!.labels)).toEqual({ dc: "eu", env: "own", instance: "a:1", job: "node" });
    expect(ts[1]!.error).toBe("instance 1 in group file.json:0: no address");
  });

  it("mergeTargetLabels lets the target win and drops empty values", () => {
    expect(rec(mergeTargetLabels(L({ a: "1" }), [{ name: "a", value: "2" }, { name: "b", value: "" }, { name: "c", value: "3" }]))).toEqual({ a: "1", c: "3" });
  });
});

describe("helpers", () => {
  it("formats durations like model.Duration.String()", () => {
    expect(formatModelDuration(0)).toBe("0s");
    expect(formatModelDuration(15_000)).toBe("15s");
    expect(formatModelDuration(90 * 60_000)).toBe("1h30m");
    expect(formatModelDuration(1500)).toBe("1s500ms");
    expect(formatModelDuration(8 * 86_400_000)).toBe("8d");
    expect(formatModelDuration(14 * 86_400_000)).toBe("2w");
    expect(formatModelDuration(365 * 86_400_000)).toBe("1y");
    expect(formatModelDuration(366 * 86_400_000)).toBe("366d");
  });

  it("parses durations like model.ParseDuration", () => {
    expect(parseModelDuration("1h30m")).toBe(5_400_000);
    expect(parseModelDuration("0")).toBe(0);
    expect(() => parseModelDuration("1.5s")).toThrow('not a valid duration string: "1.5s"');
    expect(() => parseModelDuration("")).toThrow("empty duration string");
  });

  it("splits host and port like net.SplitHostPort", () => {
    expect(splitHostPort("h:80")).toEqual({ host: "h", port: "80" });
    expect(splitHostPort("[::1]:80")).toEqual({ host: "::1", port: "80" });
    expect(splitHostPort("h:")).toEqual({ host: "h", port: "" });
    expect(splitHostPort("h")).toBeNull();
    expect(splitHostPort("::1")).toBeNull();
    expect(splitHostPort("[::1]")).toBeNull();
    expect(splitHostPort("[::1]x:80")).toBeNull();
  });

  it("builds the scrape URL with Go's escaping", () => {
    expect(scrapeUrl(L({ __scheme__: "http", __address__: "h:1", __metrics_path__: "/a b/c?d" }))).toBe("http://h:1/a%20b/c%3Fd");
    expect(scrapeUrl(L({ __scheme__: "http", __address__: "h:1", __metrics_path__: "metrics" }))).toBe("http://h:1/metrics");
    expect(scrapeUrl(L({ __scheme__: "http", __address__: "h:1", __metrics_path__: "/m", __param_x: "é" }))).toBe("http://h:1/m?x=%C3%A9");
    expect(scrapeUrl(L({ __scheme__: "https", __address__: "[::1]:9100", __metrics_path__: "/metrics" }))).toBe("https://[::1]:9100/metrics");
  });
});
