import type { ScrapeConfig } from "../config/types.js";
import { SCRAPE_ACCEPT_HEADER } from "../textparse/index.js";

/** The media type each scrape_protocols name asks for, as Prometheus 3 sends it. */
const PROTOCOL_MEDIA: Record<string, string> = {
  PrometheusProto: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
  "PrometheusText0.0.4": "text/plain;version=0.0.4",
  "PrometheusText1.0.0": "text/plain;version=1.0.0",
  "OpenMetricsText0.0.1": "application/openmetrics-text;version=0.0.1",
  "OpenMetricsText1.0.0": "application/openmetrics-text;version=1.0.0",
};

const KNOWN_PROTOCOLS = 5;

/** Prometheus 3's defaults: protobuf first only when native histograms are scraped,
 * since only that format carries them. */
export const DEFAULT_SCRAPE_PROTOCOLS = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
export const DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS = ["PrometheusProto", ...DEFAULT_SCRAPE_PROTOCOLS];

/**
 * The Accept header of a job's scrapes, built as Prometheus 3 builds it: each
 * protocol in order with falling q (0.6, 0.5, ...), then any type. The 1.0.0 text
 * formats ask for names escaped to underscores, since edgeprom's text parser takes
 * classic names only. A job that sets neither scrape_protocols nor
 * scrape_native_histograms keeps the Accept header of Prometheus 2.
 */
export function scrapeAcceptHeader(cfg: Pick<ScrapeConfig, "scrapeProtocols" | "scrapeNativeHistograms">): string {
  if (cfg.scrapeProtocols === undefined && cfg.scrapeNativeHistograms !== true) return SCRAPE_ACCEPT_HEADER;
  const protocols = cfg.scrapeProtocols ?? DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS;
  const parts: string[] = [];
  let weight = KNOWN_PROTOCOLS + 1;
  for (const p of protocols) {
    let v = PROTOCOL_MEDIA[p];
    if (v === undefined) continue;
    if (p === "PrometheusText1.0.0" || p === "OpenMetricsText1.0.0") v += ";escaping=underscores";
    parts.push(`${v};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(",");
}
