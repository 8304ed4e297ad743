import { formatGoG as formatG, formatGoV } from "./go_format.js";

/**
 * Prometheus' native histogram with float counts (FloatHistogram): exponential
 * buckets (schema -4..8, base 2^(2^-schema)) with a zero bucket, or custom buckets
 * (schema -53, NHCB) with explicit upper bounds. Buckets are given as spans of
 * consecutive bucket indices and one absolute count per bucket.
 *
 * Arithmetic works on the (index, count) lists behind the spans; a result keeps the
 * union of both operands' buckets (empty ones included) until compact() drops the
 * empty ones, as Prometheus' operations do.
 */

export const CUSTOM_BUCKETS_SCHEMA = -53;
export const EXPONENTIAL_SCHEMA_MIN = -4;
export const EXPONENTIAL_SCHEMA_MAX = 8;

export enum CounterResetHint {
  Unknown = 0,
  CounterReset = 1,
  NotCounterReset = 2,
  Gauge = 3,
}

export interface Span {
  offset: number;
  length: number;
}

/** A bucket with its bounds; `lowerInclusive`/`upperInclusive` as Prometheus prints
 * them (`[`/`(`). */
export interface Bucket {
  lower: number;
  upper: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  count: number;
  index: number;
}

/** Why two histograms cannot be combined. */
export class HistogramError extends Error {}
export const ERR_INCOMPATIBLE_SCHEMA = "cannot apply this operation on histograms with a mix of exponential and custom bucket schemas";

/** Result flags of add/sub, which PromQL turns into annotations. */
export interface CombineResult {
  counterResetCollision: boolean;
  nhcbBoundsReconciled: boolean;
}

export function isCustomSchema(s: number): boolean {
  return s === CUSTOM_BUCKETS_SCHEMA;
}

function ldexp(frac: number, exp: number): number {
  if (exp > 1023) return frac * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1022) return frac * 2 ** -1022 * 2 ** (exp + 1022);
  return frac * 2 ** exp;
}

const fracTables: number[][] = [];
function fracTable(schema: number): number[] {
  let t = fracTables[schema];
  if (t === undefined) {
    const n = 1 << schema;
    t = [];
    for (let k = 0; k < n; k++) t.push(2 ** (k / n) / 2);
    fracTables[schema] = t;
  }
  return t;
}

/** Upper bound of the exponential bucket `idx` (its absolute value for negative
 * buckets). The last finite bucket ends at the largest float64, so ±Inf
 * observations get a bucket of their own. */
export function exponentialBound(idx: number, schema: number): number {
  if (schema < 0) {
    const exp = idx * 2 ** -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const n = 1 << schema;
  const frac = fracTable(schema)[((idx % n) + n) % n]!;
  const exp = Math.floor(idx / n) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

export function bucketBound(idx: number, schema: number, custom: readonly number[] | null): number {
  if (isCustomSchema(schema)) {
    const c = custom ?? [];
    if (idx === c.length) return Infinity;
    if (idx === -1) return -Infinity;
    return c[idx]!;
  }
  return exponentialBound(idx, schema);
}

/** Bucket index in a lower-resolution schema. */
export function targetIndex(idx: number, from: number, to: number): number {
  return Math.floor((idx - 1) / 2 ** (from - to)) + 1;
}

/** Buckets as parallel sorted lists of indices and counts. */
interface Indexed {
  idx: number[];
  val: number[];
}

function expand(spans: readonly Span[], buckets: readonly number[]): Indexed {
  const idx: number[] = [];
  const val: number[] = [];
  let i = 0;
  let b = 0;
  for (const s of spans) {
    i += s.offset;
    for (let k = 0; k < s.length && b < buckets.length; k++) {
      idx.push(i++);
      val.push(buckets[b++]!);
    }
  }
  return { idx, val };
}

function collapse(x: Indexed): { spans: Span[]; buckets: number[] } {
  const spans: Span[] = [];
  let last = 0;
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k]!;
    if (spans.length > 0 && i === last + 1) spans[spans.length - 1]!.length++;
    else spans.push({ offset: spans.length === 0 ? i : i - last - 1, length: 1 });
    last = i;
  }
  return { spans, buckets: x.val.slice() };
}

function reduce(x: Indexed, from: number, to: number): Indexed {
  if (from === to) return x;
  const idx: number[] = [];
  const val: number[] = [];
  for (let k = 0; k < x.idx.length; k++) {
    const t = targetIndex(x.idx[k]!, from, to);
    if (idx.length > 0 && idx[idx.length - 1] === t) val[val.length - 1]! += x.val[k]!;
    else {
      idx.push(t);
      val.push(x.val[k]!);
    }
  }
  return { idx, val };
}

/** Union of both index sets, b's counts added (times `sign`) to a's. */
function mergeAdd(a: Indexed, b: Indexed, sign: number, ca?: number[], cb?: number[]): Indexed & { comp: number[] } {
  const idx: number[] = [];
  const val: number[] = [];
  const comp: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.idx.length || j < b.idx.length) {
    if (j >= b.idx.length || (i < a.idx.length && a.idx[i]! < b.idx[j]!)) {
      idx.push(a.idx[i]!);
      val.push(a.val[i]!);
      comp.push(ca?.[i] ?? 0);
      i++;
    } else if (i >= a.idx.length || b.idx[j]! < a.idx[i]!) {
      idx.push(b.idx[j]!);
      val.push(sign * b.val[j]!);
      comp.push(sign * (cb?.[j] ?? 0));
      j++;
    } else {
      idx.push(a.idx[i]!);
      if (ca !== undefined) {
        let [s, c] = kahanInc(sign * b.val[j]!, a.val[i]!, ca[i] ?? 0);
        if (cb !== undefined && cb[j] !== 0) [s, c] = kahanInc(sign * cb[j]!, s, c);
        val.push(s);
        comp.push(c);
      } else {
        val.push(a.val[i]! + sign * b.val[j]!);
        comp.push(0);
      }
      i++;
      j++;
    }
  }
  return { idx, val, comp };
}

/** Neumaier-compensated increment, as Prometheus' kahansum.Inc. */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

function boundsMatch(a: readonly number[] | null, b: readonly number[] | null): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function intersectBounds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/** Maps custom buckets onto coarser bounds (a subset of theirs): each bucket goes to
 * the first target bucket whose bound is at or above its own. */
function mapCustom(x: Indexed, bounds: readonly number[], target: readonly number[], into: number[], sign: number): void {
  let t = 0;
  for (let k = 0; k < x.idx.length; k++) {
    const src = x.idx[k]!;
    let ti = target.length;
    if (src < bounds.length) {
      const b = bounds[src]!;
      while (t < target.length && target[t]! < b) t++;
      ti = t;
    }
    into[ti] = into[ti]! + sign * x.val[k]!;
  }
}

function spansEqual(a: readonly Span[], b: readonly Span[]): boolean {
  const norm = (s: readonly Span[]) => {
    const out: Span[] = [];
    let carry = 0;
    for (const x of s) {
      if (x.length === 0) {
        carry += x.offset;
        continue;
      }
      out.push({ offset: x.offset + carry, length: x.length });
      carry = 0;
    }
    return out;
  };
  const x = norm(a);
  const y = norm(b);
  if (x.length !== y.length) return false;
  return x.every((s, i) => s.offset === y[i]!.offset && s.length === y[i]!.length);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  const a0 = u32[0];
  const a1 = u32[1];
  f64[0] = b;
  return a0 === u32[0] && a1 === u32[1];
}

export class FloatHistogram {
  counterResetHint = CounterResetHint.Unknown;
  schema = 0;
  zeroThreshold = 0;
  zeroCount = 0;
  count = 0;
  sum = 0;
  positiveSpans: Span[] = [];
  negativeSpans: Span[] = [];
  positiveBuckets: number[] = [];
  negativeBuckets: number[] = [];
  /** Upper bounds of custom buckets (schema -53), shared between copies. */
  customValues: number[] | null = null;
  /** Whether this came as an integer histogram (scrapes and remote write deliver
   * integer counts): storage then keeps it in an integer histogram chunk, as Prometheus
   * keeps its Histogram apart from FloatHistogram. Copies and results of arithmetic are
   * float histograms (false), as a recording rule's output is in Prometheus. */
  integer = false;

  static from(fields: Partial<FloatHistogram>): FloatHistogram {
    return Object.assign(new FloatHistogram(), fields);
  }

  usesCustomBuckets(): boolean {
    return isCustomSchema(this.schema);
  }

  copy(): FloatHistogram {
    const c = new FloatHistogram();
    c.counterResetHint = this.counterResetHint;
    c.schema = this.schema;
    c.zeroThreshold = this.zeroThreshold;
    c.zeroCount = this.zeroCount;
    c.count = this.count;
    c.sum = this.sum;
    c.positiveSpans = this.positiveSpans.map((s) => ({ ...s }));
    c.negativeSpans = this.negativeSpans.map((s) => ({ ...s }));
    c.positiveBuckets = this.positiveBuckets.slice();
    c.negativeBuckets = this.negativeBuckets.slice();
    c.customValues = this.customValues;
    return c;
  }

  /** A copy at a lower (or the same) exponential resolution. */
  copyToSchema(target: number): FloatHistogram {
    const c = this.copy();
    if (target === this.schema || this.usesCustomBuckets()) return c;
    const p = collapse(reduce(expand(this.positiveSpans, this.positiveBuckets), this.schema, target));
    const n = collapse(reduce(expand(this.negativeSpans, this.negativeBuckets), this.schema, target));
    c.schema = target;
    c.positiveSpans = p.spans;
    c.positiveBuckets = p.buckets;
    c.negativeSpans = n.spans;
    c.negativeBuckets = n.buckets;
    c.counterResetHint = CounterResetHint.Unknown;
    return c;
  }

  /** Scales every count and the sum; a negative factor makes it a gauge. */
  mul(factor: number): this {
    this.zeroCount *= factor;
    this.count *= factor;
    this.sum *= factor;
    for (let i = 0; i < this.positiveBuckets.length; i++) this.positiveBuckets[i]! *= factor;
    for (let i = 0; i < this.negativeBuckets.length; i++) this.negativeBuckets[i]! *= factor;
    if (factor < 0) this.counterResetHint = CounterResetHint.Gauge;
    return this;
  }

  /** Divides every count and the sum; dividing by zero drops the buckets. */
  div(d: number): this {
    this.zeroCount /= d;
    this.count /= d;
    this.sum /= d;
    if (d === 0) {
      this.positiveBuckets = [];
      this.negativeBuckets = [];
      this.positiveSpans = [];
      this.negativeSpans = [];
      return this;
    }
    for (let i = 0; i < this.positiveBuckets.length; i++) this.positiveBuckets[i]! /= d;
    for (let i = 0; i < this.negativeBuckets.length; i++) this.negativeBuckets[i]! /= d;
    if (d < 0) this.counterResetHint = CounterResetHint.Gauge;
    return this;
  }

  /** Drops empty buckets; spans become maximal runs of consecutive buckets. */
  compact(): this {
    const drop = (spans: Span[], buckets: number[]) => {
      const x = expand(spans, buckets);
      const keep: Indexed = { idx: [], val: [] };
      for (let k = 0; k < x.idx.length; k++) {
        if (x.val[k] !== 0) {
          keep.idx.push(x.idx[k]!);
          keep.val.push(x.val[k]!);
        }
      }
      return collapse(keep);
    };
    const p = drop(this.positiveSpans, this.positiveBuckets);
    this.positiveSpans = p.spans;
    this.positiveBuckets = p.buckets;
    const n = drop(this.negativeSpans, this.negativeBuckets);
    this.negativeSpans = n.spans;
    this.negativeBuckets = n.buckets;
    return this;
  }

  add(other: FloatHistogram): CombineResult {
    return this.combine(other, 1, null);
  }

  sub(other: FloatHistogram): CombineResult {
    return this.combine(other, -1, null);
  }

  /** add() with Kahan compensation kept in `c` (same layout as this histogram);
   * returns the compensation histogram to pass to the next call. */
  kahanAdd(other: FloatHistogram, c: FloatHistogram | null): { c: FloatHistogram } & CombineResult {
    const comp = c ?? this.compensation();
    const r = this.combine(other, 1, comp);
    return { c: comp, ...r };
  }

  private compensation(): FloatHistogram {
    const c = new FloatHistogram();
    c.counterResetHint = this.counterResetHint;
    c.schema = this.schema;
    c.zeroThreshold = this.zeroThreshold;
    c.customValues = this.customValues;
    c.positiveSpans = this.positiveSpans.map((s) => ({ ...s }));
    c.negativeSpans = this.negativeSpans.map((s) => ({ ...s }));
    c.positiveBuckets = this.positiveBuckets.map(() => 0);
    c.negativeBuckets = this.negativeBuckets.map(() => 0);
    return c;
  }

  private combine(other: FloatHistogram, sign: number, comp: FloatHistogram | null): CombineResult {
    if (this.usesCustomBuckets() !== other.usesCustomBuckets()) throw new HistogramError(ERR_INCOMPATIBLE_SCHEMA);
    const counterResetCollision = this.adjustCounterReset(other);
    const res: CombineResult = { counterResetCollision, nhcbBoundsReconciled: false };
    const inc = (field: "count" | "sum" | "zeroCount", v: number) => {
      if (comp === null) this[field] += sign * v;
      else [this[field], comp[field]] = kahanInc(sign * v, this[field], comp[field]);
    };
    if (!this.usesCustomBuckets()) {
      const otherZero = this.reconcileZeroBuckets(other, comp);
      inc("zeroCount", otherZero);
    }
    inc("count", other.count);
    inc("sum", other.sum);

    if (this.usesCustomBuckets()) {
      const a = expand(this.positiveSpans, this.positiveBuckets);
      const b = expand(other.positiveSpans, other.positiveBuckets);
      if (boundsMatch(this.customValues, other.customValues)) {
        const ca = comp === null ? undefined : expand(comp.positiveSpans, comp.positiveBuckets).val;
        const m = mergeAdd(a, b, sign, ca);
        this.setSide(true, m, comp);
      } else {
        res.nhcbBoundsReconciled = true;
        const target = intersectBounds(this.customValues ?? [], other.customValues ?? []);
        const into = new Array<number>(target.length + 1).fill(0);
        mapCustom(a, this.customValues ?? [], target, into, 1);
        if (comp !== null) mapCustom(expand(comp.positiveSpans, comp.positiveBuckets), this.customValues ?? [], target, into, 1);
        mapCustom(b, other.customValues ?? [], target, into, sign);
        const m: Indexed & { comp: number[] } = { idx: [], val: [], comp: [] };
        into.forEach((v, i) => {
          if (v !== 0) {
            m.idx.push(i);
            m.val.push(v);
            m.comp.push(0);
          }
        });
        this.customValues = target;
        if (comp !== null) comp.customValues = target;
        this.setSide(true, m, comp);
      }
      return res;
    }

    let pa = expand(this.positiveSpans, this.positiveBuckets);
    let na = expand(this.negativeSpans, this.negativeBuckets);
    let pca = comp === null ? undefined : expand(comp.positiveSpans, comp.positiveBuckets).val;
    let nca = comp === null ? undefined : expand(comp.negativeSpans, comp.negativeBuckets).val;
    let pb = expand(other.positiveSpans, other.positiveBuckets);
    let nb = expand(other.negativeSpans, other.negativeBuckets);
    if (other.schema < this.schema) {
      if (comp !== null) {
        pca = reduce({ idx: pa.idx, val: pca! }, this.schema, other.schema).val;
        nca = reduce({ idx: na.idx, val: nca! }, this.schema, other.schema).val;
      }
      pa = reduce(pa, this.schema, other.schema);
      na = reduce(na, this.schema, other.schema);
      this.schema = other.schema;
      if (comp !== null) comp.schema = other.schema;
    } else if (other.schema > this.schema) {
      pb = reduce(pb, other.schema, this.schema);
      nb = reduce(nb, other.schema, this.schema);
    }
    this.setSide(true, mergeAdd(pa, this.skipBelowThreshold(pb), sign, pca), comp);
    this.setSide(false, mergeAdd(na, this.skipBelowThreshold(nb), sign, nca), comp);
    return res;
  }

  /** Drops the leading buckets of `x` that fall inside this zero bucket. */
  private skipBelowThreshold(x: Indexed): Indexed {
    let k = 0;
    while (k < x.idx.length && exponentialBound(x.idx[k]!, this.schema) <= this.zeroThreshold) k++;
    return k === 0 ? x : { idx: x.idx.slice(k), val: x.val.slice(k) };
  }

  private setSide(positive: boolean, m: Indexed & { comp: number[] }, comp: FloatHistogram | null): void {
    const { spans, buckets } = collapse(m);
    if (positive) {
      this.positiveSpans = spans;
      this.positiveBuckets = buckets;
    } else {
      this.negativeSpans = spans;
      this.negativeBuckets = buckets;
    }
    if (comp !== null) {
      const c = collapse({ idx: m.idx, val: m.comp });
      if (positive) {
        comp.positiveSpans = c.spans;
        comp.positiveBuckets = c.buckets;
      } else {
        comp.negativeSpans = c.spans;
        comp.negativeBuckets = c.buckets;
      }
    }
  }

  /** Counter reset hint of a sum or difference; true when one operand says reset and
   * the other says no reset. */
  private adjustCounterReset(other: FloatHistogram): boolean {
    const a = this.counterResetHint;
    const b = other.counterResetHint;
    if (a === b || a === CounterResetHint.Gauge) return false;
    if (b === CounterResetHint.Gauge) {
      this.counterResetHint = CounterResetHint.Gauge;
      return false;
    }
    if (a === CounterResetHint.Unknown) return false;
    this.counterResetHint = CounterResetHint.Unknown;
    return b !== CounterResetHint.Unknown;
  }

  /** The zero count this histogram would have with a zero bucket of at least
   * `larger`, and the threshold that bucket really ends at (moved up to the edge of a
   * populated bucket it would cut). */
  zeroCountForLargerThreshold(larger: number): [number, number] {
    if (larger === this.zeroThreshold) return [this.zeroCount, larger];
    for (;;) {
      let zc = this.zeroCount;
      let restart = false;
      for (const b of this.bucketsOf(true)) {
        if (b.lower >= larger) break;
        zc += b.count;
        if (b.upper > larger) {
          if (b.count !== 0) larger = b.upper;
          break;
        }
      }
      for (const b of this.bucketsOf(false)) {
        if (b.upper <= -larger) break;
        zc += b.count;
        if (b.lower < -larger) {
          if (b.count !== 0) {
            larger = -b.lower;
            restart = true;
          }
          break;
        }
      }
      if (!restart) return [zc, larger];
    }
  }

  /** Widens the narrower zero bucket of the two to the wider one's threshold; this
   * histogram is changed, the other's zero count at that threshold returned. */
  private reconcileZeroBuckets(other: FloatHistogram, comp: FloatHistogram | null): number {
    let otherZero = other.zeroCount;
    let otherTh = other.zeroThreshold;
    while (otherTh !== this.zeroThreshold) {
      if (this.zeroThreshold > otherTh) [otherZero, otherTh] = other.zeroCountForLargerThreshold(this.zeroThreshold);
      if (otherTh > this.zeroThreshold) {
        [this.zeroCount, this.zeroThreshold] = this.zeroCountForLargerThreshold(otherTh);
        this.trimBucketsInZeroBucket();
        if (comp !== null) {
          comp.zeroThreshold = this.zeroThreshold;
          const p = expand(this.positiveSpans, this.positiveBuckets);
          const n = expand(this.negativeSpans, this.negativeBuckets);
          comp.positiveSpans = this.positiveSpans.map((s) => ({ ...s }));
          comp.negativeSpans = this.negativeSpans.map((s) => ({ ...s }));
          comp.positiveBuckets = p.val.map(() => 0);
          comp.negativeBuckets = n.val.map(() => 0);
        }
      }
    }
    return otherZero;
  }

  private trimBucketsInZeroBucket(): void {
    let i = 0;
    for (const b of this.bucketsOf(true)) {
      if (b.lower >= this.zeroThreshold) break;
      this.positiveBuckets[i++] = 0;
    }
    i = 0;
    for (const b of this.bucketsOf(false)) {
      if (b.upper <= -this.zeroThreshold) break;
      this.negativeBuckets[i++] = 0;
    }
    this.compact();
  }

  /** Positive buckets ascending or negative buckets from zero outward. */
  *bucketsOf(positive: boolean): Generator<Bucket> {
    const spans = positive ? this.positiveSpans : this.negativeSpans;
    const buckets = positive ? this.positiveBuckets : this.negativeBuckets;
    const custom = this.usesCustomBuckets();
    let idx = 0;
    let b = 0;
    for (const s of spans) {
      idx += s.offset;
      for (let k = 0; k < s.length && b < buckets.length; k++, idx++) {
        const hi = bucketBound(idx, this.schema, this.customValues);
        const lo = bucketBound(idx - 1, this.schema, this.customValues);
        const bucket: Bucket = positive
          ? { lower: lo, upper: hi, lowerInclusive: false, upperInclusive: true, count: buckets[b++]!, index: idx }
          : { lower: -hi, upper: -lo, lowerInclusive: false, upperInclusive: true, count: buckets[b++]!, index: idx };
        if (custom) {
          bucket.lowerInclusive = idx === 0;
          bucket.upperInclusive = true;
        } else {
          bucket.lowerInclusive = bucket.lower < 0;
          bucket.upperInclusive = bucket.upper > 0;
        }
        yield bucket;
      }
    }
  }

  zeroBucket(): Bucket {
    return { lower: -this.zeroThreshold, upper: this.zeroThreshold, lowerInclusive: true, upperInclusive: true, count: this.zeroCount, index: 0 };
  }

  /** Every bucket from the lowest to the highest: negative, zero (if populated),
   * positive; buckets overlapping the zero bucket are clipped to its edge. */
  allBuckets(): Bucket[] {
    const out = [...this.bucketsOf(false)].reverse();
    const th = this.zeroThreshold;
    for (const b of out) {
      if (b.upper < 0 && b.upper > -th) b.upper = -th;
      else if (b.lower > 0 && b.lower < th) b.lower = th;
    }
    if (this.zeroCount > 0) out.push(this.zeroBucket());
    for (const b of this.bucketsOf(true)) {
      if (b.lower > 0 && b.lower < th) b.lower = th;
      else if (b.upper < 0 && b.upper > -th) b.upper = -th;
      out.push(b);
    }
    return out;
  }

  /** Exact equality (layout included, floats by bit pattern), as for `==`. */
  equals(o: FloatHistogram): boolean {
    if (this.schema !== o.schema || !sameBits(this.count, o.count) || !sameBits(this.sum, o.sum)) return false;
    if (this.usesCustomBuckets() && !boundsMatch(this.customValues, o.customValues)) return false;
    if (this.zeroThreshold !== o.zeroThreshold || !sameBits(this.zeroCount, o.zeroCount)) return false;
    if (!spansEqual(this.negativeSpans, o.negativeSpans) || !spansEqual(this.positiveSpans, o.positiveSpans)) return false;
    const eq = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => sameBits(x, b[i]!));
    return eq(this.negativeBuckets, o.negativeBuckets) && eq(this.positiveBuckets, o.positiveBuckets);
  }

  hasOverflow(): boolean {
    const inf = (x: number) => x === Infinity || x === -Infinity;
    return (
      inf(this.zeroCount) || inf(this.count) || inf(this.sum) || this.positiveBuckets.some(inf) || this.negativeBuckets.some(inf)
    );
  }

  /** Whether this histogram, following `previous`, means the counter was reset: an
   * explicit hint decides, otherwise any count, zero count or bucket that went down
   * (after bringing both to the coarser schema and wider zero bucket). */
  detectReset(previous: FloatHistogram): boolean {
    if (this.counterResetHint === CounterResetHint.CounterReset) return true;
    if (this.counterResetHint === CounterResetHint.NotCounterReset) return false;
    if (this.count < previous.count) return true;
    if (this.usesCustomBuckets()) {
      if (!previous.usesCustomBuckets()) return true;
      if (!boundsMatch(this.customValues, previous.customValues)) return this.resetWithMismatchedBounds(previous);
    }
    if (this.schema > previous.schema) return true;
    if (this.zeroThreshold < previous.zeroThreshold) return true;
    const [prevZero, th] = previous.zeroCountForLargerThreshold(this.zeroThreshold);
    if (th !== this.zeroThreshold) return true;
    if (this.zeroCount < prevZero) return true;
    for (const positive of [true, false]) {
      const cur = this.mergedBuckets(positive, this.zeroThreshold, this.schema);
      const prev = previous.mergedBuckets(positive, this.zeroThreshold, this.schema);
      if (bucketsDecreased(cur, prev)) return true;
    }
    return false;
  }

  /** One side's buckets at a coarser schema, skipping those whose upper bound (as
   * absolute value) is at or below `start` (exponential schemas only). */
  private mergedBuckets(positive: boolean, start: number, schema: number): Indexed {
    const x = expand(positive ? this.positiveSpans : this.negativeSpans, positive ? this.positiveBuckets : this.negativeBuckets);
    const r = this.usesCustomBuckets() ? x : reduce(x, this.schema, schema);
    if (this.usesCustomBuckets() || start === 0) return r;
    let k = 0;
    while (k < r.idx.length && exponentialBound(r.idx[k]!, schema) <= start) k++;
    return { idx: r.idx.slice(k), val: r.val.slice(k) };
  }

  private resetWithMismatchedBounds(previous: FloatHistogram): boolean {
    const target = intersectBounds(this.customValues ?? [], previous.customValues ?? []);
    const cur = new Array<number>(target.length + 1).fill(0);
    const prev = new Array<number>(target.length + 1).fill(0);
    mapCustom(expand(this.positiveSpans, this.positiveBuckets), this.customValues ?? [], target, cur, 1);
    mapCustom(expand(previous.positiveSpans, previous.positiveBuckets), previous.customValues ?? [], target, prev, 1);
    return cur.some((v, i) => v < prev[i]!);
  }

  /** Prometheus' String(): `{count:N, sum:S, [lo,hi):c, ...}` over populated buckets. */
  toString(): string {
    const parts = [`count:${formatG(this.count)}`, `sum:${formatG(this.sum)}`];
    const str = (b: Bucket) =>
      `${b.lowerInclusive ? "[" : "("}${formatG(b.lower)},${formatG(b.upper)}${b.upperInclusive ? "]" : ")"}:${formatGoV(b.count)}`;
    const neg = [...this.bucketsOf(false)].filter((b) => b.count !== 0).reverse();
    for (const b of neg) parts.push(str(b));
    if (this.zeroCount !== 0) parts.push(str(this.zeroBucket()));
    for (const b of this.bucketsOf(true)) if (b.count !== 0) parts.push(str(b));
    return `{${parts.join(", ")}}`;
  }

  /** The promqltest literal form (`{{schema:1 count:3 buckets:[1 2]}}`), for messages. */
  testExpression(): string {
    const m = this.copy().compact();
    const res: string[] = [];
    if (m.schema !== 0) res.push(`schema:${m.schema}`);
    if (m.count !== 0) res.push(`count:${formatG(m.count)}`);
    if (m.sum !== 0) res.push(`sum:${formatG(m.sum)}`);
    if (m.zeroCount !== 0) res.push(`z_bucket:${formatG(m.zeroCount)}`);
    if (m.zeroThreshold !== 0) res.push(`z_bucket_w:${formatG(m.zeroThreshold)}`);
    if (m.usesCustomBuckets()) res.push(`custom_values:[${(m.customValues ?? []).map((v) => formatG(v)).join(" ")}]`);
    const hint = ["", "reset", "not_reset", "gauge"][m.counterResetHint];
    if (hint !== "") res.push(`counter_reset_hint:${hint}`);
    const side = (spans: Span[], buckets: number[], key: string, offKey: string) => {
      const x = expand(spans, buckets);
      if (x.idx.length === 0) return;
      const first = x.idx[0]!;
      const dense: number[] = [];
      for (let k = 0; k < x.idx.length; k++) dense[x.idx[k]! - first] = x.val[k]!;
      if (first !== 0) res.push(`${offKey}:${first}`);
      res.push(`${key}:[${Array.from(dense, (v) => formatG(v ?? 0)).join(" ")}]`);
    };
    side(m.positiveSpans, m.positiveBuckets, "buckets", "offset");
    side(m.negativeSpans, m.negativeBuckets, "n_buckets", "n_offset");
    return `{{${res.join(" ")}}}`;
  }
}

function bucketsDecreased(cur: Indexed, prev: Indexed): boolean {
  let j = 0;
  for (let k = 0; k < prev.idx.length; k++) {
    const pi = prev.idx[k]!;
    const pv = prev.val[k]!;
    while (j < cur.idx.length && cur.idx[j]! < pi) j++;
    if (j < cur.idx.length && cur.idx[j] === pi) {
      if (cur.val[j]! < pv) return true;
    } else if (pv !== 0) return true;
  }
  return false;
}

