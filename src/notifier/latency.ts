/** The quantiles Prometheus reports for prometheus_notifications_latency_seconds. */
export const LATENCY_QUANTILES = [0.5, 0.9, 0.99] as const;

/** client_golang's summaries forget observations older than ten minutes. */
const WINDOW_MS = 10 * 60_000;
/** Bounds memory per Alertmanager; at one post per evaluation this is hours. */
const MAX_KEPT = 512;

export interface LatencySnapshot {
  sum: number;
  count: number;
  /** Quantile -> seconds, NaN with no observation in the window (as client_golang). */
  quantiles: Record<string, number>;
}

/** A summary of post latencies: sum and count since start, quantiles over the last
 * ten minutes computed exactly from the observations kept. */
export class LatencySummary {
  private sum = 0;
  private count = 0;
  private recent: { at: number; seconds: number }[] = [];

  observe(seconds: number, at: number): void {
    this.sum += seconds;
    this.count++;
    this.recent.push({ at, seconds });
    if (this.recent.length > MAX_KEPT) this.recent.splice(0, this.recent.length - MAX_KEPT);
  }

  snapshot(now: number): LatencySnapshot {
    this.recent = this.recent.filter((o) => now - o.at < WINDOW_MS);
    const sorted = this.recent.map((o) => o.seconds).sort((a, b) => a - b);
    const quantiles: Record<string, number> = {};
    for (const q of LATENCY_QUANTILES) {
      quantiles[String(q)] = sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
    }
    return { sum: this.sum, count: this.count, quantiles };
  }
}
