import { labelsKey, METRIC_NAME, type Labels } from "../model/labels.js";
import { isStaleNaN } from "../model/sample.js";
import { extrapolatedDelta, kahanAdd, windowBounds, withoutStale } from "../model/window_math.js";

/**
 * Query pushdown: the part of a PromQL aggregation a shard can evaluate next to its
 * data. `op by|without (grouping) (fn(selector[range]))` or `op (...) (selector)`:
 * each shard selects and decodes its series, evaluates the inner expression at every
 * step and folds the values into per-group partial aggregates; the Worker merges the
 * shards' partials (mergePartials) and finishes. The arithmetic is the engine's (see
 * model/window_math.ts), in the same label order within a shard.
 */

export type PushdownOp = "sum" | "count" | "min" | "max";
export type PushdownFn = "" | "rate" | "increase" | "delta";

export interface PushdownPlan {
  op: PushdownOp;
  grouping: string[];
  without: boolean;
  /** "" for an instant vector selector (newest sample within the lookback). */
  fn: PushdownFn;
  /** The range of fn's matrix selector, or the lookback delta for a selector. */
  range: number;
  /** Step grid: n steps from `start` every `interval` ms, each reading at step - offset. */
  start: number;
  interval: number;
  n: number;
  offset: number;
}

/** Per group (label key) and step, in columns of groups.length * n values. */
export interface PartialAggregate {
  /** The storage met samples it cannot fold (native histograms, whose aggregation
   * has its own rules and annotations): the engine evaluates the ordinary way. */
  declined?: true;
  n: number;
  groups: string[];
  /** Sum (sum), or the min/max so far (min, max). */
  value: Float64Array;
  /** Neumaier compensation of the sum. */
  comp: Float64Array;
  /** Values folded in; 0 means the group has no value at that step. */
  count: Float64Array;
  /** What the engine would have held for the inner expression (points of a
   * selector, samples of a range), for the query's sample budget. */
  samples: number;
}

export function pushdownSupported(op: string, fn: string): boolean {
  return (op === "sum" || op === "count" || op === "min" || op === "max") && (fn === "" || fn === "rate" || fn === "increase" || fn === "delta");
}

/** Folds series, given in label order, into a PartialAggregate. */
export class PushdownAccumulator {
  private readonly groups = new Map<string, number>();
  private value: Float64Array;
  private comp: Float64Array;
  private count: Float64Array;
  private samples = 0;
  private readonly refs: Float64Array;
  private readonly step: Float64Array;
  private readonly has: Uint8Array;
  private readonly names: Set<string>;

  constructor(private readonly plan: PushdownPlan) {
    const n = plan.n;
    this.refs = new Float64Array(n);
    for (let i = 0; i < n; i++) this.refs[i] = plan.start + i * plan.interval - plan.offset;
    this.step = new Float64Array(n);
    this.has = new Uint8Array(n);
    this.names = new Set(plan.grouping);
    this.value = new Float64Array(n * 8);
    this.comp = new Float64Array(n * 8);
    this.count = new Float64Array(n * 8);
  }

  add(labels: Labels, ts: Float64Array, vs: Float64Array): void {
    if (!this.evaluate(ts, vs)) return;
    const g = this.group(labels);
    const n = this.plan.n;
    const op = this.plan.op;
    const o = g * n;
    for (let i = 0; i < n; i++) {
      if (!this.has[i]) continue;
      const x = this.step[i]!;
      const k = o + i;
      const c = ++this.count[k]!;
      switch (op) {
        case "sum": {
          const [s, cc] = kahanAdd(x, this.value[k]!, this.comp[k]!);
          this.value[k] = s;
          this.comp[k] = cc;
          break;
        }
        case "min": {
          const m = this.value[k]!;
          if (c === 1 || m > x || Number.isNaN(m)) this.value[k] = x;
          break;
        }
        case "max": {
          const m = this.value[k]!;
          if (c === 1 || m < x || Number.isNaN(m)) this.value[k] = x;
          break;
        }
        case "count":
          break;
      }
    }
  }

  result(): PartialAggregate {
    const len = this.groups.size * this.plan.n;
    return {
      n: this.plan.n,
      groups: [...this.groups.keys()],
      value: this.value.slice(0, len),
      comp: this.comp.slice(0, len),
      count: this.count.slice(0, len),
      samples: this.samples,
    };
  }

  /** The inner expression's value at every step into step/has; false if none. */
  private evaluate(ts: Float64Array, vs: Float64Array): boolean {
    const { n, fn, range } = this.plan;
    const refs = this.refs;
    this.has.fill(0);
    let any = false;
    if (fn === "") {
      let j = -1;
      for (let i = 0; i < n; i++) {
        const ref = refs[i]!;
        while (j + 1 < ts.length && ts[j + 1]! <= ref) j++;
        if (j < 0 || ts[j]! <= ref - range) continue;
        const v = vs[j]!;
        if (v !== v && isStaleNaN(v)) continue;
        this.step[i] = v;
        this.has[i] = 1;
        this.samples++;
        any = true;
      }
      return any;
    }
    const clean = withoutStale(ts, vs);
    this.samples += clean.ts.length;
    const isCounter = fn !== "delta";
    const isRate = fn === "rate";
    let hint = 0;
    for (let i = 0; i < n; i++) {
      const end = refs[i]!;
      const [lo, hi] = windowBounds(clean.ts, end, range, hint);
      hint = lo;
      const v = extrapolatedDelta(clean.ts, clean.vs, lo, hi, end - range, end, range, isCounter, isRate);
      if (v === undefined) continue;
      this.step[i] = v;
      this.has[i] = 1;
      any = true;
    }
    return any;
  }

  private group(labels: Labels): number {
    const { without } = this.plan;
    const names = this.names;
    const gl = without ? labels.filter((l) => l.name !== METRIC_NAME && !names.has(l.name)) : labels.filter((l) => names.has(l.name));
    const key = labelsKey(gl);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = this.groups.size;
      this.groups.set(key, g);
      const need = (g + 1) * this.plan.n;
      if (need > this.value.length) {
        const grow = (a: Float64Array) => {
          const b = new Float64Array(Math.max(need, a.length * 2));
          b.set(a);
          return b;
        };
        this.value = grow(this.value);
        this.comp = grow(this.comp);
        this.count = grow(this.count);
      }
    }
    return g;
  }
}

/** Merges shards' partials, in shard order, into one. */
export function mergePartials(op: PushdownOp, parts: readonly PartialAggregate[]): PartialAggregate {
  if (parts.length === 1) return parts[0]!;
  const declined = parts.find((p) => p.declined === true);
  if (declined !== undefined) return declined;
  const n = parts[0]?.n ?? 0;
  const index = new Map<string, number>();
  for (const p of parts) for (const g of p.groups) if (!index.has(g)) index.set(g, index.size);
  const len = index.size * n;
  const out: PartialAggregate = { n, groups: [...index.keys()], value: new Float64Array(len), comp: new Float64Array(len), count: new Float64Array(len), samples: 0 };
  for (const p of parts) {
    out.samples += p.samples;
    p.groups.forEach((key, pg) => {
      const o = index.get(key)! * n;
      for (let i = 0; i < n; i++) {
        const src = pg * n + i;
        const c = p.count[src]!;
        if (c === 0) continue;
        const k = o + i;
        const x = p.value[src]!;
        const first = out.count[k] === 0;
        out.count[k]! += c;
        switch (op) {
          case "sum": {
            const [s, cc] = kahanAdd(x, out.value[k]!, out.comp[k]!);
            out.value[k] = s;
            out.comp[k] = cc + p.comp[src]!;
            break;
          }
          case "min":
            if (first || out.value[k]! > x || Number.isNaN(out.value[k]!)) out.value[k] = x;
            break;
          case "max":
            if (first || out.value[k]! < x || Number.isNaN(out.value[k]!)) out.value[k] = x;
            break;
          case "count":
            break;
        }
      }
    });
  }
  return out;
}
