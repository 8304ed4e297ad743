/**
 * The cost meter: what a region's Durable Objects did (requests, SQLite rows read
 * and written, busy wall time), as they count it themselves and expose it on
 * /metrics, turned into dollars with Cloudflare's published Durable Object prices and
 * set beside Amazon Managed Service for Prometheus' ingestion price.
 * Worker invocations (the remote-write POST, the query request) are billed apart as
 * Workers requests and CPU time and are not included.
 */
import type { BenchResult } from "./chunkenc.js";

/** Cloudflare Durable Objects, paid plan, beyond the included amounts. */
export const PRICES = {
  perRequest: 0.15 / 1e6,
  perRowWritten: 1.0 / 1e6,
  perRowRead: 0.001 / 1e6,
  perGbSecond: 12.5 / 1e6,
};
/** Duration is billed as wall time x 128 MB, whatever the object really uses. */
const OBJECT_GB = 128 / 1024;
/** Amazon Managed Service for Prometheus: $0.90 per 10M samples ingested (first tier). */
export const AMP_DOLLARS_PER_MILLION_SAMPLES = 0.9 / 10;

export interface ObjectUsage {
  requests: number;
  rowsRead: number;
  rowsWritten: number;
  activeSeconds: number;
}

/** Every Durable Object class's usage as the tier's /metrics reports it. */
export async function readUsage(baseUrl: string): Promise<Record<string, ObjectUsage>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out: Record<string, ObjectUsage> = {};
  const fields: [string, keyof ObjectUsage][] = [
    ["edgeprom_durable_object_requests_total", "requests"],
    ["edgeprom_durable_object_rows_read_total", "rowsRead"],
    ["edgeprom_durable_object_rows_written_total", "rowsWritten"],
    ["edgeprom_durable_object_active_seconds_total", "activeSeconds"],
  ];
  for (const [name, field] of fields) {
    for (const m of text.matchAll(new RegExp(`^${name}\\{class="([^"]+)"[^}]*\\} (\\S+)$`, "gm"))) {
      const u = (out[m[1]!] ??= { requests: 0, rowsRead: 0, rowsWritten: 0, activeSeconds: 0 });
      u[field] += Number(m[2]);
    }
  }
  return out;
}

/** after - before, summed over the classes given (all when none). */
export function usageDelta(before: Record<string, ObjectUsage>, after: Record<string, ObjectUsage>, classes?: string[]): ObjectUsage {
  const d: ObjectUsage = { requests: 0, rowsRead: 0, rowsWritten: 0, activeSeconds: 0 };
  for (const cls of classes ?? Object.keys(after)) {
    const a = after[cls];
    const b = before[cls];
    if (a === undefined) continue;
    d.requests += a.requests - (b?.requests ?? 0);
    d.rowsRead += a.rowsRead - (b?.rowsRead ?? 0);
    d.rowsWritten += a.rowsWritten - (b?.rowsWritten ?? 0);
    d.activeSeconds += a.activeSeconds - (b?.activeSeconds ?? 0);
  }
  return d;
}

export function dollars(u: ObjectUsage): number {
  return u.requests * PRICES.perRequest + u.rowsWritten * PRICES.perRowWritten + u.rowsRead * PRICES.perRowRead + u.activeSeconds * OBJECT_GB * PRICES.perGbSecond;
}

function scaled(u: ObjectUsage, k: number): ObjectUsage {
  return { requests: u.requests * k, rowsRead: u.rowsRead * k, rowsWritten: u.rowsWritten * k, activeSeconds: u.activeSeconds * k };
}

/** Usage and dollars per million samples ingested, and the ratio to AMP's price. */
export function ingestCost(prefix: string, u: ObjectUsage, samples: number): BenchResult[] {
  const m = scaled(u, 1e6 / samples);
  const d = dollars(m);
  return [
    { name: `${prefix}.do_requests_per_million_samples`, value: m.requests, unit: "Durable Object requests / 1M samples" },
    { name: `${prefix}.rows_written_per_million_samples`, value: m.rowsWritten, unit: "SQLite rows written / 1M samples" },
    { name: `${prefix}.rows_read_per_million_samples`, value: m.rowsRead, unit: "SQLite rows read / 1M samples" },
    { name: `${prefix}.gb_seconds_per_million_samples`, value: m.activeSeconds * OBJECT_GB, unit: "GB-s / 1M samples (busy wall time x 128 MB)" },
    { name: `${prefix}.dollars_per_million_samples`, value: d, unit: "$ / 1M samples (Cloudflare Durable Objects)" },
    { name: `${prefix}.amp_dollars_per_million_samples`, value: AMP_DOLLARS_PER_MILLION_SAMPLES, unit: "$ / 1M samples (Amazon Managed Prometheus ingestion, first tier)" },
    { name: `${prefix}.cost_ratio_to_amp`, value: d / AMP_DOLLARS_PER_MILLION_SAMPLES, unit: "x (edgeprom / AMP; target <= 0.1)" },
  ];
}

/** Usage and dollars per query, from the usage of `runs` executions. */
export function queryCost(prefix: string, u: ObjectUsage, runs: number): BenchResult[] {
  const q = scaled(u, 1 / runs);
  return [
    { name: `${prefix}.do_requests_per_query`, value: q.requests, unit: "Durable Object requests / query" },
    { name: `${prefix}.rows_read_per_query`, value: q.rowsRead, unit: "SQLite rows read / query" },
    { name: `${prefix}.dollars_per_million_queries`, value: dollars(q) * 1e6, unit: "$ / 1M queries (Cloudflare Durable Objects)" },
  ];
}
