import type { ExpositionFormat } from "./entry.js";

/** The Accept header Prometheus (2.x) sends when scraping: OpenMetrics preferred,
 * the text format as fallback. Exporters that know neither answer in text. */
export const SCRAPE_ACCEPT_HEADER =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75," +
  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

const OPENMETRICS_MEDIA_TYPE = "application/openmetrics-text";
const TEXT_MEDIA_TYPE = "text/plain";

export function contentTypeFor(format: ExpositionFormat): string {
  return format === "openmetrics" ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/** Picks the parser for a scrape response as Prometheus does: the OpenMetrics parser
 * for an OpenMetrics media type, the text parser for anything else, including a
 * missing or malformed Content-Type. */
export function formatForContentType(contentType: string | null | undefined): ExpositionFormat {
  if (!contentType) return "text";
  return mediaType(contentType.split(";", 1)[0]!) === OPENMETRICS_MEDIA_TYPE ? "openmetrics" : "text";
}

export interface Negotiated {
  readonly format: ExpositionFormat;
  readonly contentType: string;
}

interface AcceptRange {
  readonly type: string;
  readonly version: string;
  readonly q: number;
  readonly order: number;
  readonly params: ReadonlyMap<string, string>;
}

/** Chooses how to answer a GET /metrics (or /federate) from its Accept header, as
 * client_golang does: the most preferred range that names OpenMetrics 1.0.0 / 0.0.1
 * or the text format 0.0.4 (or either without a version) wins; anything else, or no
 * header, gets text 0.0.4. `allowOpenMetrics: false` serves text only, which is what
 * Prometheus' own /federate does. */
export function negotiateExposition(
  accept: string | null | undefined,
  options: { allowOpenMetrics?: boolean } = {},
): Negotiated {
  const allowOM = options.allowOpenMetrics ?? true;
  const ranges = parseAccept(accept ?? "");
  for (const r of ranges) {
    if (r.q <= 0) continue;
    if (allowOM && r.type === OPENMETRICS_MEDIA_TYPE && (r.version === "" || r.version === "1.0.0" || r.version === "0.0.1")) {
      return { format: "openmetrics", contentType: OPENMETRICS_CONTENT_TYPE };
    }
    if (r.type === TEXT_MEDIA_TYPE && (r.version === "" || r.version === "0.0.4")) break;
  }
  return { format: "text", contentType: TEXT_CONTENT_TYPE };
}

/**
 * Whether an Accept header asks for the delimited protobuf format before any text
 * format, as client_golang's Negotiate decides: the most preferred range that names
 * protobuf (proto=io.prometheus.client.MetricFamily, delimited encoding) or a text
 * format wins. Prometheus' /federate answers native histograms only in protobuf.
 */
export function prefersDelimitedProtobuf(accept: string | null | undefined): boolean {
  for (const part of parseAccept(accept ?? "")) {
    if (part.q <= 0) continue;
    if (part.type === PROTOBUF_MEDIA_TYPE) {
      if (part.params.get("proto") === "io.prometheus.client.MetricFamily" && part.params.get("encoding") === "delimited") return true;
      continue;
    }
    if (part.type === TEXT_MEDIA_TYPE || part.type === OPENMETRICS_MEDIA_TYPE) return false;
  }
  return false;
}

const PROTOBUF_MEDIA_TYPE = "application/vnd.google.protobuf";

/** Splits an Accept header into ranges ordered by preference: q descending, then
 * concrete types before wildcards, then header order. */
function parseAccept(header: string): AcceptRange[] {
  const out: AcceptRange[] = [];
  let order = 0;
  for (const part of header.split(",")) {
    const [head, ...params] = part.split(";");
    const type = mediaType(head!);
    if (type === "") continue;
    let q = 1;
    let version = "";
    const all = new Map<string, string>();
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = unquote(param.slice(eq + 1).trim());
      all.set(key, value);
      if (key === "q") {
        const n = Number(value);
        q = value !== "" && Number.isFinite(n) ? n : 1;
      } else if (key === "version") {
        version = value;
      }
    }
    out.push({ type, version, q, order: order++, params: all });
  }
  const wild = (t: string): number => (t === "*/*" ? 2 : t.endsWith("/*") ? 1 : 0);
  return out.sort((a, b) => b.q - a.q || wild(a.type) - wild(b.type) || a.order - b.order);
}

function mediaType(s: string): string {
  return s.trim().toLowerCase();
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}
