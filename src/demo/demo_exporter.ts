import { labelsFromRecord } from "../model/labels.js";
import { negotiateExposition, writeExposition, type FamilySample, type MetricFamily } from "../textparse/index.js";

/**
 * The built-in demo target `npm start` scrapes, so that a new local federation has a
 * service-shaped workload to graph: request counters by path and code, a latency
 * histogram and a queue-depth gauge. Values are functions of the time (counters only
 * grow, at rates that drift through the day), so every scrape sees a consistent,
 * moving series without any state.
 */
const PATHS = [
  ["/", 12],
  ["/api/orders", 5],
  ["/api/users", 3],
  ["/healthz", 1],
] as const;
const CODES = [
  ["200", 0.95],
  ["404", 0.03],
  ["500", 0.02],
] as const;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Counters start at the epoch of this date, as if the process started then. */
const START = Date.UTC(2026, 0, 1) / 1000;

/** Requests served up to time t at a base rate that swings ±30% over a day. */
function served(rate: number, t: number): number {
  const day = 86_400;
  const dt = t - START;
  const swing = ((0.3 * day) / (2 * Math.PI)) * (1 - Math.cos((2 * Math.PI * dt) / day));
  return Math.floor(rate * (dt + swing));
}

export function demoFamilies(nowMs: number): MetricFamily[] {
  const t = nowMs / 1000;
  const requests: FamilySample[] = [];
  const latency: FamilySample[] = [];
  const REQ = "demo_http_requests_total";
  const LAT = "demo_http_request_duration_seconds";
  let total = 0;
  // One traced request per path and 15 s window: its exemplar stays the same for the
  // window's scrapes (storage keeps it once) and is new in the next.
  const window = Math.floor(t / 15);
  PATHS.forEach(([path, rate], p) => {
    const n = served(rate, t);
    total += n;
    for (const [code, share] of CODES) {
      requests.push({ labels: labelsFromRecord({ __name__: REQ, path, code }), value: Math.floor(n * share) });
    }
    // A log-normal-ish latency profile per path: slower paths shift the buckets.
    const scale = path === "/api/orders" ? 4 : path === "/healthz" ? 0.3 : 1;
    const traced = BUCKETS[(window + p) % 5]!;
    for (const le of BUCKETS) {
      const frac = 1 - Math.exp(-le / (0.04 * scale));
      const exemplar = le === traced ? { labels: labelsFromRecord({ trace_id: traceId(window, p) }), value: Math.round(le * 800) / 1000, timestamp: window * 15_000 } : undefined;
      latency.push({ labels: labelsFromRecord({ __name__: LAT + "_bucket", path, le: String(le) }), value: Math.floor(n * frac), exemplar });
    }
    latency.push({ labels: labelsFromRecord({ __name__: LAT + "_bucket", path, le: "+Inf" }), value: n });
    latency.push({ labels: labelsFromRecord({ __name__: LAT + "_sum", path }), value: n * 0.04 * scale });
    latency.push({ labels: labelsFromRecord({ __name__: LAT + "_count", path }), value: n });
  });
  return [
    { name: REQ, type: "counter", help: "Requests served by the demo service.", samples: requests },
    { name: LAT, type: "histogram", help: "Latency of the demo service's requests.", samples: latency },
    {
      name: "demo_queue_depth",
      type: "gauge",
      help: "Jobs waiting in the demo service's queue.",
      samples: [{ labels: labelsFromRecord({ __name__: "demo_queue_depth" }), value: Math.round(20 + 15 * Math.sin(t / 300) + 5 * Math.sin(t / 37)) }],
    },
    {
      name: "demo_requests_in_flight",
      type: "gauge",
      help: "Requests being served right now.",
      samples: [{ labels: labelsFromRecord({ __name__: "demo_requests_in_flight" }), value: total % 7 }],
    },
  ];
}

/** A 32-hex-digit trace id, as OpenTelemetry writes them, fixed for a window and path. */
function traceId(window: number, path: number): string {
  let x = (Math.imul(window, 2654435761) ^ Math.imul(path + 1, 40503)) >>> 0 || 1;
  let out = "";
  for (let i = 0; i < 4; i++) {
    // xorshift: digits that look random but repeat for the same window and path.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += x.toString(16).padStart(8, "0");
  }
  return out;
}

/** GET /demo/metrics */
export function demoHandler(req: Request): Response {
  const { format, contentType } = negotiateExposition(req.headers.get("accept"));
  return new Response(writeExposition(demoFamilies(Date.now()), format), { headers: { "content-type": contentType } });
}
