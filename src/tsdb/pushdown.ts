import { compareLabels, labelsFromKey, labelsKey, METRIC_NAME, type Label, type Labels } from "../model/labels.js";
import { isStaleNaN } from "../model/sample.js";
import { extrapolatedDelta, kahanAdd, maxOf, minOf, windowBounds, withoutStale } from "../model/window_math.js";

/**
 * Query pushdown: the part of a PromQL aggregation a shard can evaluate next to its
 * data. `op by|without (grouping) (fn(selector[range]))` or `op (...) (selector)`:
 * each shard selects and decodes its series, evaluates the inner expression at every
 * step and folds the values into per-group partial aggregates; the Worker merges the
 * shards' partials (mergePartials) and finishes. The arithmetic is the engine's (see
 * model/window_math.ts), in the same label order within a shard.
 */

export type PushdownOp = "sum" | "avg" | "count" | "min" | "max" | SelectionOp | "each";
/** Aggregations that keep some of the input series as they are: a shard can only
 * return its candidates (the best k of each group at each step), the engine picks. */
export type SelectionOp = "topk" | "bottomk" | "limitk";
export type PushdownFn = "" | "rate" | "increase" | "delta";
/** Functions of a subquery over a pushed-down inner expression (PushdownPlan.outer). */
export type OverTimeFn = "max_over_time" | "min_over_time";

/** `fn(inner[range:step])` at each of `ends`: the window (end - range, end] of the inner
 * expression's step values, which are the plan's step grid. */
export interface OuterPlan {
  fn: OverTimeFn;
  range: number;
  ends: number[];
}

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
  /** topk/bottomk/limitk: the largest k asked for at any step. */
  k?: number;
  /** "each" only: the series' values are `outer.fn` over the inner values, one per
   * outer.ends, instead of the inner values at each step. */
  outer?: OuterPlan;
}

/** A series a shard offers to a selection: its inner value at the steps where it is
 * among its group's best k there. */
export interface Candidate {
  key: string;
  vs: Float64Array;
  has: Uint8Array;
}

/** Candidates in columns, in label order: series i is keys[i] with its step values at
 * vs[i * n + step], where has[i * n + step] is 1. Three objects cross RPC instead of
 * three per series. */
export interface CandidateColumns {
  keys: string[];
  vs: Float64Array;
  has: Uint8Array;
}

/** Per group (label key) and step, in columns of groups.length * n values. */
export interface PartialAggregate {
  /** The storage met samples it cannot fold (native histograms, whose aggregation
   * has its own rules and annotations): the engine evaluates the ordinary way. */
  declined?: true;
  n: number;
  groups: string[];
  /** Sum (sum, avg: divided by count at the end), or the min/max so far (min, max). */
  value: Float64Array;
  /** Neumaier compensation of the sum. */
  comp: Float64Array;
  /** Values folded in; 0 means the group has no value at that step. */
  count: Float64Array;
  /** What the engine would have held for the inner expression (points of a
   * selector, samples of a range), for the query's sample budget. */
  samples: number;
  /** With an outer function: the inner expression's points, which the engine would
   * have held as the subquery's range. */
  points?: number;
  /** Selection ops: the candidates, in label order, and each group's first series
   * (without values where it is no candidate) so that groups keep their order. */
  candidates?: CandidateColumns;
  /** The candidates' labels, where merging the shards' answers parsed their keys
   * (never sent over RPC). */
  candidateLabels?: Labels[];
  /** Per group, the label key of its first series: the engine's groups come in the
   * order of their first series, and merged shards' groups must too. */
  firsts?: string[];
}

export function isSelectionOp(op: string): op is SelectionOp {
  return op === "topk" || op === "bottomk" || op === "limitk";
}

/** Ops whose answer is whole series (candidates), not per-group partials. */
function keepsSeries(op: PushdownOp): boolean {
  return op === "each" || isSelectionOp(op);
}

export function pushdownSupported(op: string, fn: string): boolean {
  return (op === "sum" || op === "avg" || op === "count" || op === "min" || op === "max" || op === "each" || isSelectionOp(op)) && (fn === "" || fn === "rate" || fn === "increase" || fn === "delta");
}

/** a ranks strictly before b in topk/bottomk: NaN is always last, as in the engine's
 * selectK (and Prometheus' heaps); equal values (also +Inf and +Inf) keep label order. */
function ranksBefore(a: number, b: number, top: boolean): boolean {
  if (a !== a) return false;
  if (b !== b) return true;
  return top ? a > b : a < b;
}

/** Each series of a list's group, as slots: the group key of series i is
 * keys[slots[i]], every key once. A shard keeps them with the label order of a matcher
 * set's series (they change only when its series do), so that an evaluation that asks
 * the same aggregation again finds each series' group without building its key. */
export interface GroupSlots {
  slots: Int32Array;
  keys: string[];
}

/** The group slots of `series`, for the grouping of `plan`. */
export function groupSlots(series: readonly { labels: Labels }[], plan: Pick<PushdownPlan, "grouping" | "without">): GroupSlots {
  const names = new Set(plan.grouping);
  const slots = new Int32Array(series.length);
  const index = new Map<string, number>();
  for (let i = 0; i < series.length; i++) {
    const key = groupKey(series[i]!.labels, names, plan.without);
    let slot = index.get(key);
    if (slot === undefined) index.set(key, (slot = index.size));
    slots[i] = slot;
  }
  return { slots, keys: [...index.keys()] };
}

/** The label key of a series' group. A loop, not filter(): the bundle names each
 * closure it creates (esbuild's keepNames), which costs more than this per series. */
function groupKey(labels: Labels, names: ReadonlySet<string>, without: boolean): string {
  const kept: Label[] = [];
  for (const l of labels) if (without ? l.name !== METRIC_NAME && !names.has(l.name) : names.has(l.name)) kept.push(l);
  return labelsKey(kept);
}

/** Whether vs[lo, hi) holds a NaN, which may be a stale marker: most windows hold
 * none, and then nothing needs copying. */
function anyNaN(vs: Float64Array, lo: number, hi: number): boolean {
  for (let i = lo; i < hi; i++) if (vs[i] !== vs[i]) return true;
  return false;
}

/** Whether a sum overflows depends on the order of its summands once they come near
 * the largest double; the shards' partial sums add them in another order than one
 * pass would, so sums with such summands are left to the engine. Below this bound
 * more summands than any query holds would be needed to overflow. */
const HUGE = 1e290;

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
  /** Selection ops: per group and step, candidate ordinals best first (at most k). */
  private lists: (number[] | undefined)[][] = [];
  /** Selection ops: labels and step values of every series that was ever a candidate. */
  private kept: { labels: Labels; vs: Float64Array }[] = [];
  /** A summand so large that sums could overflow in one order and not another. */
  private huge = false;
  /** Labels of each group's first series. */
  private readonly firsts: Labels[] = [];
  /** Selection ops: each group's first series' ordinal in kept. */
  private readonly firstOrds: number[] = [];
  /** With group slots (useSlots): the slots, and each slot's group, -1 until its
   * first series with a value. */
  private slots: GroupSlots = { slots: new Int32Array(0), keys: [] };
  private slotGroup = new Int32Array(0);

  constructor(private readonly plan: PushdownPlan) {
    const n = plan.n;
    this.refs = new Float64Array(n);
    for (let i = 0; i < n; i++) this.refs[i] = plan.start + i * plan.interval - plan.offset;
    this.step = new Float64Array(n);
    this.has = new Uint8Array(n);
    this.names = new Set(plan.grouping);
    const size = keepsSeries(plan.op) ? 0 : n * 8;
    this.value = new Float64Array(size);
    this.comp = new Float64Array(size);
    this.count = new Float64Array(size);
  }

  /** "each": every series with a value, in label order. */
  private readonly each = new ColumnsBuilder();

  /** Series given to addRange with an index are those of `slots`' list. */
  useSlots(slots: GroupSlots): void {
    this.slots = slots;
    this.slotGroup = new Int32Array(slots.keys.length).fill(-1);
  }

  /** `key`, when the caller has it, is labelsKey(labels). */
  add(labels: Labels, ts: Float64Array, vs: Float64Array, key?: string): void {
    this.addRange(labels, ts, vs, 0, ts.length, key, -1);
  }

  /** As add, for the samples ts/vs[lo, hi); `at` is the series' index in the list of
   * the group slots given to useSlots, or -1. */
  addRange(labels: Labels, ts: Float64Array, vs: Float64Array, lo: number, hi: number, key: string | undefined, at: number): void {
    if (!this.evaluate(ts, vs, lo, hi)) return;
    if (this.plan.op === "each") {
      const outer = this.plan.outer;
      if (outer === undefined) this.each.push(key ?? labelsKey(labels), this.step, this.has);
      else if (this.overTime(outer)) this.each.push(key ?? labelsKey(labels), this.outerVs!, this.outerHas!);
      return;
    }
    const slot = at >= 0 ? this.slots.slots[at]! : -1;
    const g = slot >= 0 ? this.slotGroup[slot]! : -1;
    return this.fold(g >= 0 ? g : this.group(labels, slot), labels);
  }

  /** Folds the series' step values (step/has) into group g. */
  private fold(g: number, labels: Labels): void {
    if (isSelectionOp(this.plan.op)) return this.offer(g, labels);
    const n = this.plan.n;
    const op = this.plan.op;
    const o = g * n;
    for (let i = 0; i < n; i++) {
      if (!this.has[i]) continue;
      const x = this.step[i]!;
      const k = o + i;
      const c = ++this.count[k]!;
      switch (op) {
        case "sum":
        case "avg": {
          if ((x > HUGE || x < -HUGE) && x !== Infinity && x !== -Infinity) this.huge = true;
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

  /** Puts the series' step values into its group's best-k lists where they rank. */
  private offer(g: number, labels: Labels): void {
    const { n, op } = this.plan;
    const k = this.plan.k ?? 0;
    const top = op === "topk";
    const ord = this.kept.length;
    const lists = (this.lists[g] ??= new Array<number[] | undefined>(n));
    const kept = this.kept;
    let used = this.firstOrds.length === g;
    if (used) this.firstOrds.push(ord);
    for (let i = 0; i < n; i++) {
      if (!this.has[i]) continue;
      const x = this.step[i]!;
      const list = (lists[i] ??= []);
      let p = list.length;
      // limitk keeps the first k in label order: a later series never ranks before.
      if (op !== "limitk") while (p > 0 && ranksBefore(x, kept[list[p - 1]!]!.vs[i]!, top)) p--;
      if (p >= k) continue;
      list.splice(p, 0, ord);
      if (list.length > k) list.pop();
      used = true;
    }
    if (used) kept.push({ labels, vs: this.step.slice() });
  }

  result(): PartialAggregate {
    if (this.plan.op === "each") return this.series(this.each.build());
    if (isSelectionOp(this.plan.op)) return this.selection();
    const len = this.groups.size * this.plan.n;
    return {
      ...(this.huge ? { declined: true as const } : {}),
      n: this.plan.n,
      groups: [...this.groups.keys()],
      value: this.value.slice(0, len),
      comp: this.comp.slice(0, len),
      count: this.count.slice(0, len),
      samples: this.samples,
      firsts: this.firsts.map(labelsKey),
    };
  }

  private selection(): PartialAggregate {
    const n = this.plan.n;
    const out = new Map<number, Candidate>();
    for (const lists of this.lists) {
      if (lists === undefined) continue;
      for (let i = 0; i < n; i++) {
        for (const o of lists[i] ?? []) {
          let c = out.get(o);
          if (c === undefined) out.set(o, (c = { key: labelsKey(this.kept[o]!.labels), vs: new Float64Array(n), has: new Uint8Array(n) }));
          c.vs[i] = this.kept[o]!.vs[i]!;
          c.has[i] = 1;
        }
      }
    }
    for (const o of this.firstOrds) if (!out.has(o)) out.set(o, { key: labelsKey(this.kept[o]!.labels), vs: new Float64Array(n), has: new Uint8Array(n) });
    const cols = new ColumnsBuilder();
    for (const [, c] of [...out].sort((a, b) => a[0] - b[0])) cols.push(c.key, c.vs, c.has);
    return this.series(cols.build());
  }

  private series(candidates: CandidateColumns): PartialAggregate {
    const none = new Float64Array(0);
    const outer = this.plan.outer;
    if (outer === undefined) return { n: this.plan.n, groups: [], value: none, comp: none, count: none, samples: this.samples, candidates };
    return { n: outer.ends.length, groups: [], value: none, comp: none, count: none, samples: this.samples, points: this.points, candidates };
  }

  /** Outer function values, per outer.ends (see overTime). */
  private outerVs: Float64Array | undefined;
  private outerHas: Uint8Array | undefined;
  private points = 0;
  private pointTs: Float64Array | undefined;
  private pointVs: Float64Array | undefined;

  /** outer.fn over the inner values in step/has, as the engine's subquery and range
   * function would compute them, into outerVs/outerHas; false if none. */
  private overTime(outer: OuterPlan): boolean {
    const { n, start, interval } = this.plan;
    const m = outer.ends.length;
    const outVs = (this.outerVs ??= new Float64Array(m));
    const outHas = (this.outerHas ??= new Uint8Array(m));
    // The subquery's points: the steps with a value.
    // Filled again for every series rather than allocated per series.
    const pointTs = (this.pointTs ??= new Float64Array(n));
    const pointVs = (this.pointVs ??= new Float64Array(n));
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (!this.has[i]) continue;
      pointTs[c] = start + i * interval;
      pointVs[c++] = this.step[i]!;
    }
    const ts = pointTs.subarray(0, c);
    const vs = pointVs.subarray(0, c);
    this.points += c;
    const fold = outer.fn === "max_over_time" ? maxOf : minOf;
    let any = false;
    let hint = 0;
    for (let j = 0; j < m; j++) {
      const [lo, hi] = windowBounds(ts, outer.ends[j]!, outer.range, hint);
      hint = lo;
      outHas[j] = hi > lo ? 1 : 0;
      if (hi <= lo) continue;
      outVs[j] = fold(vs, lo, hi);
      any = true;
    }
    return any;
  }

  /** The inner expression's value at every step, over the samples ts/vs[lo, hi),
   * into step/has; false if none. */
  private evaluate(ts: Float64Array, vs: Float64Array, lo: number, hi: number): boolean {
    const { n, fn, range } = this.plan;
    const refs = this.refs;
    this.has.fill(0);
    let any = false;
    if (fn === "") {
      let j = lo - 1;
      for (let i = 0; i < n; i++) {
        const ref = refs[i]!;
        while (j + 1 < hi && ts[j + 1]! <= ref) j++;
        if (j < lo || ts[j]! <= ref - range) continue;
        const v = vs[j]!;
        if (v !== v && isStaleNaN(v)) continue;
        this.step[i] = v;
        this.has[i] = 1;
        this.samples++;
        any = true;
      }
      return any;
    }
    if (anyNaN(vs, lo, hi)) {
      const clean = withoutStale(ts.subarray(lo, hi), vs.subarray(lo, hi));
      ts = clean.ts;
      vs = clean.vs;
      lo = 0;
      hi = ts.length;
    }
    this.samples += hi - lo;
    const isCounter = fn !== "delta";
    const isRate = fn === "rate";
    // A counter with no reset in the whole run has none in any window of it: each
    // window's delta then skips the scan for resets (a range query's windows overlap
    // many times over), with the same result.
    let resets = false;
    if (isCounter) for (let k = lo + 1; k < hi && !resets; k++) resets = vs[k]! < vs[k - 1]!;
    // The step times only grow, so both window edges only move forward.
    let a = lo;
    let b = lo;
    for (let i = 0; i < n; i++) {
      const end = refs[i]!;
      const start = end - range;
      while (a < hi && ts[a]! <= start) a++;
      if (b < a) b = a;
      while (b < hi && ts[b]! <= end) b++;
      const v = extrapolatedDelta(ts, vs, a, b, start, end, range, isCounter, isRate, resets);
      if (v === undefined) continue;
      this.step[i] = v;
      this.has[i] = 1;
      any = true;
    }
    return any;
  }

  /** The group of a series (its first series `labels`), made on its first value. */
  private group(labels: Labels, slot: number): number {
    const key = slot >= 0 ? this.slots.keys[slot]! : groupKey(labels, this.names, this.plan.without);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = this.groups.size;
      this.groups.set(key, g);
      this.firsts.push(labels);
      const need = (g + 1) * this.plan.n;
      if (need > this.value.length && !keepsSeries(this.plan.op)) {
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
    if (slot >= 0) this.slotGroup[slot] = g;
    return g;
  }
}

/** Merges shards' partials, in shard order, into one. */
export function mergePartials(op: PushdownOp, parts: readonly PartialAggregate[]): PartialAggregate {
  if (parts.length === 1) return parts[0]!;
  const declined = parts.find((p) => p.declined === true);
  if (declined !== undefined) return declined;
  const n = parts[0]?.n ?? 0;
  // A shard's sum that overflowed could add up to NaN with another's: the engine's
  // mean would have gone incremental, so the average is evaluated the ordinary way.
  if (op === "avg" && parts.some((p) => p.value.some((x) => x === Infinity || x === -Infinity))) return { ...parts[0]!, declined: true };
  if (keepsSeries(op)) {
    // A series lives in one shard: merging the candidates is restoring label order.
    const none = new Float64Array(0);
    const { candidates, labels } = mergeCandidates(parts, n);
    const merged: PartialAggregate = { n, groups: [], value: none, comp: none, count: none, samples: parts.reduce((a, p) => a + p.samples, 0), candidates, candidateLabels: labels };
    if (parts[0]!.points !== undefined) merged.points = parts.reduce((a, p) => a + (p.points ?? 0), 0);
    return merged;
  }
  // Groups in the order of their first series over all shards, as one pass would.
  const first = new Map<string, Labels>();
  for (const p of parts) {
    p.groups.forEach((g, i) => {
      const f = labelsFromKey(p.firsts![i]!);
      const seen = first.get(g);
      if (seen === undefined || compareLabels(f, seen) < 0) first.set(g, f);
    });
  }
  const index = new Map<string, number>();
  for (const [g] of [...first].sort((a, b) => compareLabels(a[1], b[1]))) index.set(g, index.size);
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
          case "sum":
        case "avg": {
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

/** Grows candidate columns series by series. */
class ColumnsBuilder {
  private readonly keys: string[] = [];
  private vs = new Float64Array(0);
  private has = new Uint8Array(0);
  private used = 0;

  push(key: string, vs: Float64Array, has: Uint8Array): void {
    const n = vs.length;
    if (this.used + n > this.vs.length) {
      const size = Math.max(this.used + n, this.vs.length * 2, 64);
      const v = new Float64Array(size);
      v.set(this.vs.subarray(0, this.used));
      const h = new Uint8Array(size);
      h.set(this.has.subarray(0, this.used));
      this.vs = v;
      this.has = h;
    }
    this.vs.set(vs, this.used);
    this.has.set(has, this.used);
    this.used += n;
    this.keys.push(key);
  }

  build(): CandidateColumns {
    // Exact lengths: a view would carry its whole buffer over RPC.
    return { keys: this.keys, vs: this.vs.slice(0, this.used), has: this.has.slice(0, this.used) };
  }
}

/** Shards' candidates (each in label order) merged into label order, their keys
 * parsed once. */
function mergeCandidates(parts: readonly PartialAggregate[], n: number): { candidates: CandidateColumns; labels: Labels[] } {
  const lists = parts.map((p) => p.candidates ?? { keys: [], vs: new Float64Array(0), has: new Uint8Array(0) });
  const parsed = lists.map((c) => c.keys.map(labelsFromKey));
  let total = 0;
  for (const c of lists) total += c.keys.length;
  const keys = new Array<string>(total);
  const labels = new Array<Labels>(total);
  const vs = new Float64Array(total * n);
  const has = new Uint8Array(total * n);
  const at = lists.map(() => 0);
  for (let o = 0; o < total; o++) {
    let best = -1;
    for (let k = 0; k < lists.length; k++) {
      if (at[k]! >= lists[k]!.keys.length) continue;
      if (best < 0 || compareLabels(parsed[k]![at[k]!]!, parsed[best]![at[best]!]!) < 0) best = k;
    }
    const i = at[best]!++;
    const c = lists[best]!;
    keys[o] = c.keys[i]!;
    labels[o] = parsed[best]![i]!;
    // A loop: views for set() cost more than the few values of a step grid.
    for (let j = 0; j < n; j++) {
      vs[o * n + j] = c.vs[i * n + j]!;
      has[o * n + j] = c.has[i * n + j]!;
    }
  }
  return { candidates: { keys, vs, has }, labels };
}
