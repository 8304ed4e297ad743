import { CounterResetHint, HistogramError, type FloatHistogram } from "../../model/histogram.js";
import type { EvalContext } from "./context.js";

/** A running sum (or mean) of native histograms with Kahan compensation, as sum(),
 * avg(), sum_over_time() and avg_over_time() keep it: a mean is the compensated sum
 * divided by the count until that sum would overflow, then an incremental mean. */
export class HistogramSum {
  private value: FloatHistogram;
  private comp: FloatHistogram | null = null;
  private mean: FloatHistogram | null = null;
  private count = 1;
  private incompatible = false;
  private reset = false;
  private notReset = false;
  private reconciled = false;

  constructor(
    first: FloatHistogram,
    private readonly avg: boolean,
  ) {
    this.value = first.copy();
    this.track(first);
  }

  private track(h: FloatHistogram): void {
    if (h.counterResetHint === CounterResetHint.CounterReset) this.reset = true;
    else if (h.counterResetHint === CounterResetHint.NotCounterReset) this.notReset = true;
  }

  /** Adds h; false (after a warning) once exponential and custom buckets meet. */
  add(h: FloatHistogram, ctx: EvalContext, pos: string, name: string): boolean {
    if (this.incompatible) return false;
    this.track(h);
    this.count++;
    try {
      if (this.mean === null) {
        const v = this.avg ? this.value.copy() : this.value;
        const c = this.avg && this.comp !== null ? this.comp.copy() : this.comp;
        const r = v.kahanAdd(h, c);
        if (r.nhcbBoundsReconciled) this.reconciled = true;
        if (!this.avg || !v.hasOverflow()) {
          this.value = v;
          this.comp = r.c;
          return true;
        }
        this.mean = this.value.copy().div(this.count - 1);
        this.comp?.div(this.count - 1);
      }
      const q = (this.count - 1) / this.count;
      this.comp?.mul(q);
      const r = this.mean.mul(q).kahanAdd(h.copy().div(this.count), this.comp);
      this.comp = r.c;
      if (r.nhcbBoundsReconciled) this.reconciled = true;
      return true;
    } catch (err) {
      if (!(err instanceof HistogramError)) throw err;
      this.incompatible = true;
      ctx.warnings.add(`PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(name)} (${pos})`);
      return false;
    }
  }

  /** The sum or mean, compacted, or null when the histograms could not be added. */
  result(ctx: EvalContext, pos: string): FloatHistogram | null {
    if (this.reconciled) ctx.infos.add(`PromQL info: mismatched custom buckets were reconciled during aggregation (${pos})`);
    if (this.incompatible) return null;
    let v: FloatHistogram;
    if (this.mean !== null) {
      v = this.mean;
      if (this.comp !== null) v.add(this.comp);
    } else {
      v = this.value;
      if (this.avg) v.div(this.count);
      if (this.comp !== null) {
        if (this.avg) this.comp.div(this.count);
        v.add(this.comp);
      }
    }
    if (this.reset && this.notReset) ctx.warnings.add(`PromQL warning: conflicting counter resets during histogram aggregation (${pos})`);
    return v.compact();
  }
}
