import { labelsFromRecord } from "../../src/model/labels.js";
import type { ScrapeTarget } from "../../src/scrape/scrape_loop.js";

/** A scrape target of job "test" with no limits and no relabelling, as tests start from. */
export function scrapeTarget(url: string, over: Partial<ScrapeTarget> = {}): ScrapeTarget {
  return {
    pool: "test",
    url,
    labels: labelsFromRecord({ job: "test", instance: "t:1" }),
    intervalMs: 15_000,
    timeoutMs: 500,
    honorLabels: false,
    honorTimestamps: true,
    followRedirects: true,
    headers: {},
    bodySizeLimit: 0,
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    metricRelabel: null,
    ...over,
  };
}
