import type { FloatHistogram } from "../model/histogram.js";
import { ingestedHistogram } from "../model/histogram_validation.js";
import { formatSeries, type Labels } from "../model/labels.js";
import { describeRejection } from "../storage/rejection.js";
import type { AppendResult } from "../storage/storage.js";
import type { RemoteHistogram } from "./remote_histogram.js";

/** Series named in one answer at most. */
const MAX_NAMED = 10;

/**
 * What a remote write request (1.0 or 2.0) could not store while the rest was stored,
 * named as the 400 answer gives it: Prometheus treats 4xx as unrecoverable, so the
 * sender logs these instead of retrying.
 */
export class WriteProblems {
  private unnamed: string[] = [];
  private unnamedCount = 0;
  private invalid: string[] = [];
  private invalidCount = 0;

  /** A series without a metric name: Prometheus skips it, the answer names it. */
  unnamedSeries(labels: Labels, samples: number): void {
    this.unnamedCount += samples;
    if (this.unnamed.length < MAX_NAMED) this.unnamed.push(formatSeries(labels));
  }

  /** `x` as storage keeps it, or undefined when it is refused (named in the answer).
   * As Prometheus: an invalid histogram is refused alone, the rest is stored. */
  histogram(labels: Labels, x: RemoteHistogram, storable: boolean): FloatHistogram | undefined {
    const h = storable ? ingestedHistogram(x.h, x.integer) : "this storage does not keep native histograms";
    if (typeof h !== "string") return h;
    this.invalidCount++;
    if (this.invalid.length < MAX_NAMED) this.invalid.push(`${formatSeries(labels)} at ${x.t}: ${h}`);
    return undefined;
  }

  /** The answer's lines, storage's refusals (from every commit) first; none means 204. */
  messages(...results: AppendResult[]): string[] {
    const out: string[] = [];
    const rejected = results.reduce((n, r) => n + r.rejected, 0);
    if (rejected > 0) out.push(`${rejected} samples rejected: ${results.flatMap((r) => r.rejections.map(describeRejection)).join("; ")}`);
    if (this.unnamedCount > 0) out.push(`${this.unnamedCount} samples dropped: series without a metric name: ${this.unnamed.join(", ")}`);
    if (this.invalidCount > 0) out.push(`${this.invalidCount} native histogram samples rejected: ${this.invalid.join("; ")}`);
    return out;
  }
}
