// Scrapes a real node_exporter (Debian's prometheus-node-exporter) the way Prometheus
// does and checks what the parser makes of it; then checks that the writer puts the
// same page back out, byte for byte, and that promtool sees no difference.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getLabel, labelsToRecord } from "../../src/model/labels.js";
import {
  formatForContentType,
  groupFamilies,
  parseExposition,
  parseExpositionStream,
  SCRAPE_ACCEPT_HEADER,
  writeOpenMetrics,
  writeText,
  type Entry,
  type SampleEntry,
} from "../../src/textparse/index.js";
import { PROMTOOL, freePort, promtoolCheckMetrics, requireBinary, startPeer, waitForHttp, type Peer } from "./peers.js";

const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

let exporter: Peer | undefined;
let url = "";
// One scrape as Prometheus makes it: the raw body, its Content-Type, and what the
// streaming parser made of it.
let contentType: string | null = null;
let raw = "";
const scraped: Entry[] = [];
// A failed setup (binary missing, exporter not answering) is rethrown by every test,
// so each one fails with the reason instead of being reported as skipped.
let setupError: unknown;

function ready(): void {
  if (setupError !== undefined) throw setupError;
}

beforeAll(async () => {
  try {
    await setUp();
  } catch (e) {
    setupError = e;
  }
}, 30000);

async function setUp(): Promise<void> {
  requireBinary(NODE_EXPORTER, "prometheus-node-exporter");
  const port = await freePort();
  url = `http://127.0.0.1:${port}/metrics`;
  exporter = startPeer(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`]);
  await waitForHttp(exporter, url);

  const res = await fetch(url, { headers: { Accept: SCRAPE_ACCEPT_HEADER } });
  if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
  contentType = res.headers.get("content-type");
  const [forParser, forText] = res.body!.tee();
  const rawPromise = new Response(forText).text();
  for await (const e of parseExpositionStream(forParser, formatForContentType(contentType))) scraped.push(e);
  raw = await rawPromise;
}

afterAll(async () => {
  await exporter?.stop();
});

const samples = (entries: Entry[]): SampleEntry[] => entries.filter((e): e is SampleEntry => e.kind === "sample");

describe("node_exporter", () => {
  it("fails loudly, not silently, when a peer binary is missing", () => {
    expect(() => requireBinary("/nonexistent/prometheus-node-exporter", "prometheus-node-exporter")).toThrow(
      'install the Debian package "prometheus-node-exporter"',
    );
  });

  it("negotiates a format Prometheus would pick (text: node_exporter 1.5 offers no OpenMetrics)", () => {
    ready();
    expect(formatForContentType(contentType)).toBe(
      contentType?.startsWith("application/openmetrics-text") ? "openmetrics" : "text",
    );
  });

  it("exposes CPU, build and collector series with the labels Prometheus users query", () => {
    ready();
    const all = samples(scraped);
    expect(all.length).toBeGreaterThan(100);

    const cpu = all.filter((s) => s.name === "node_cpu_seconds_total");
    expect(cpu.length).toBeGreaterThan(0);
    for (const s of cpu) {
      expect(getLabel(s.labels, "cpu")).toMatch(/^\d+$/);
      expect(s.value).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(cpu.map((s) => getLabel(s.labels, "mode")))).toEqual(
      new Set(["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]),
    );

    const build = all.find((s) => s.name === "node_exporter_build_info");
    expect(build?.value).toBe(1);
    expect(labelsToRecord(build!.labels)).toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      goversion: expect.stringMatching(/^go/),
    });
    const cpuCollector = all.find((s) => s.name === "node_scrape_collector_success" && getLabel(s.labels, "collector") === "cpu");
    expect(cpuCollector?.value).toBe(1);
  });

  it("gives every sample a family with HELP and TYPE", () => {
    ready();
    const typed = new Set(scraped.flatMap((e) => (e.kind === "type" ? [e.name] : [])));
    const helped = new Set(scraped.flatMap((e) => (e.kind === "help" ? [e.name] : [])));
    const families = groupFamilies(scraped);
    expect(families.length).toBeGreaterThan(50);
    for (const f of families) {
      expect(typed.has(f.name), `TYPE for ${f.name}`).toBe(true);
      expect(helped.has(f.name), `HELP for ${f.name}`).toBe(true);
      expect(f.samples.length, f.name).toBeGreaterThan(0);
    }
    const gc = families.find((f) => f.name === "go_gc_duration_seconds")!;
    expect(gc.type).toBe("summary");
    // Quantiles come out in the canonical float form Prometheus normalises to.
    expect(gc.samples.flatMap((s) => getLabel(s.labels, "quantile") || [])).toEqual(["0.0", "0.25", "0.5", "0.75", "1.0"]);
    expect(gc.samples.map((s) => getLabel(s.labels, "__name__")).slice(-2)).toEqual(["go_gc_duration_seconds_sum", "go_gc_duration_seconds_count"]);
  });

  it("serves the same families as text/plain 0.0.4", async () => {
    ready();
    const res = await fetch(url, { headers: { Accept: "text/plain;version=0.0.4" } });
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = parseExposition(await res.text(), "text");
    expect(new Set(groupFamilies(text).map((f) => f.name))).toEqual(new Set(groupFamilies(scraped).map((f) => f.name)));
  });

  it("is written back byte for byte, except for normalised quantiles and dropped empty labels", () => {
    ready();
    const rewritten = writeText(groupFamilies(scraped)).split("\n");
    const original = raw.split("\n");
    expect(rewritten.length).toBe(original.length);
    const differing = original.filter((line, i) => line !== rewritten[i]);
    for (const line of differing) expect(line, line).toMatch(/quantile="\d+"|le="\d+"|[a-z]=""/);
    expect(differing.length).toBeLessThan(original.length / 10);
  });

  it("round-trips through both writers and parsers", () => {
    ready();
    const families = groupFamilies(scraped);
    // The writers print series as stored: labels given empty in the page are absent,
    // so only the page's own parse knows their names (emptyLabels).
    const stored = samples(scraped).map(({ emptyLabels: _, ...e }) => e);
    expect(samples(parseExposition(writeText(families), "text"))).toEqual(stored);
    expect(samples(parseExposition(writeOpenMetrics(families), "openmetrics"))).toEqual(stored);
  });

  it("promtool judges our rewrite exactly as it judges the original page", () => {
    ready();
    requireBinary(PROMTOOL, "prometheus");
    const original = promtoolCheckMetrics(raw);
    const ours = promtoolCheckMetrics(writeText(groupFamilies(scraped)));
    // 3 = lint findings (node_exporter has camelCase names), never 1 = unparsable.
    expect(original.code).not.toBe(1);
    expect(ours).toEqual(original);
  });
});
