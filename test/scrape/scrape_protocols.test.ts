import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { scrapeAcceptHeader } from "../../src/scrape/scrape_protocols.js";
import { SCRAPE_ACCEPT_HEADER } from "../../src/textparse/index.js";

const job = (extra: string, global = "") => parseConfig(`global: {${global}}\nscrape_configs:\n  - job_name: j\n${extra}    static_configs: [{targets: ["a:1"]}]\n`).scrapeConfigs[0]!;

describe("the scrape Accept header", () => {
  it("asks for protobuf first when native histograms are scraped, as Prometheus 3 does", () => {
    expect(scrapeAcceptHeader(job("    scrape_native_histograms: true\n"))).toBe(
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6," +
        "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4," +
        "text/plain;version=1.0.0;escaping=underscores;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
    );
    // From global too; a job's own false wins.
    expect(scrapeAcceptHeader(job("", "scrape_native_histograms: true"))).toMatch(/^application\/vnd\.google\.protobuf;/);
    expect(scrapeAcceptHeader(job("    scrape_native_histograms: false\n", "scrape_native_histograms: true"))).toBe(SCRAPE_ACCEPT_HEADER);
  });

  it("follows scrape_protocols in order", () => {
    expect(scrapeAcceptHeader(job("    scrape_protocols: [PrometheusText0.0.4, PrometheusProto]\n"))).toBe(
      "text/plain;version=0.0.4;q=0.6,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,*/*;q=0.4",
    );
    expect(scrapeAcceptHeader(job("", "scrape_protocols: [OpenMetricsText1.0.0]"))).toBe("application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,*/*;q=0.5");
  });

  it("keeps Prometheus 2's header when neither is set", () => {
    expect(scrapeAcceptHeader(job(""))).toBe(SCRAPE_ACCEPT_HEADER);
  });

  it("reads always_scrape_classic_histograms and its 2.x name scrape_classic_histograms", () => {
    expect(job("    always_scrape_classic_histograms: true\n").alwaysScrapeClassicHistograms).toBe(true);
    expect(job("    scrape_classic_histograms: true\n").alwaysScrapeClassicHistograms).toBe(true);
    expect(job("", "always_scrape_classic_histograms: true").alwaysScrapeClassicHistograms).toBe(true);
    expect(job("").alwaysScrapeClassicHistograms).toBeUndefined();
  });
});
