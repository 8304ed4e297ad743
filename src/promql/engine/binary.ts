import { CounterResetHint, HistogramError, type FloatHistogram } from "../../model/histogram.js";
import { compareLabels, LabelsBuilder, labelsKey, labelsToString, METRIC_NAME, type Labels } from "../../model/labels.js";
import type { BinaryExpr, BinaryOp, VectorMatching } from "../parser/ast.js";
import type { EvalContext } from "./context.js";
import { newSeries, type StepScalar, type StepSeries, type StepVector } from "./step_values.js";
import { QueryError } from "./value.js";

const COMPARISON = new Set<BinaryOp>(["==", "!=", ">", "<", ">=", "<="]);
const ARITHMETIC = new Set<BinaryOp>(["+", "-", "*", "/", "%", "^", "atan2"]);

export function isComparison(op: BinaryOp): boolean {
  return COMPARISON.has(op);
}

/** Go's math.Pow edge cases where JavaScript's differs. */
function pow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

/** Arithmetic result, or for comparisons 1/0 as "kept or not". */
export function scalarOp(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return l / r;
    case "%":
      return l % r;
    case "^":
      return pow(l, r);
    case "atan2":
      return Math.atan2(l, r);
    case "==":
      return l === r ? 1 : 0;
    case "!=":
      return l !== r ? 1 : 0;
    case ">":
      return l > r ? 1 : 0;
    case "<":
      return l < r ? 1 : 0;
    case ">=":
      return l >= r ? 1 : 0;
    case "<=":
      return l <= r ? 1 : 0;
    default:
      throw new QueryError("execution", `operator "${op}" not allowed for scalar operations`);
  }
}

/** The outcome of one element operation where a histogram takes part. */
interface ElemResult {
  v: number;
  h?: FloatHistogram;
  keep: boolean;
  /** An annotation to report; with `drop`, the sample is left out. */
  info?: string;
  warn?: string;
  drop?: boolean;
}

/** Prometheus' vectorElemBinop for operands of which at least one is a native
 * histogram: h*f, f*h, h/f, h+h, h-h, h==h and h!=h are defined, everything else
 * yields nothing and an info annotation. */
export function histogramOp(ctx: EvalContext, e: BinaryExpr, l: number, r: number, hl: FloatHistogram | undefined, hr: FloatHistogram | undefined): ElemResult {
  const pos = ctx.pos(e.pos.start);
  const incompatible = (): ElemResult => ({
    v: 0,
    keep: false,
    drop: true,
    info: `PromQL info: incompatible sample types encountered for binary operator "${e.op}": ${hl ? "histogram" : "float"} ${e.op} ${hr ? "histogram" : "float"} (${pos})`,
  });
  if (hl === undefined && hr !== undefined) {
    if (e.op === "*") return { v: 0, h: hr.copy().mul(l).compact(), keep: true };
    return incompatible();
  }
  if (hl !== undefined && hr === undefined) {
    if (e.op === "*") return { v: 0, h: hl.copy().mul(r).compact(), keep: true };
    if (e.op === "/") return { v: 0, h: hl.copy().div(r).compact(), keep: true };
    return incompatible();
  }
  const a = hl!;
  const b = hr!;
  switch (e.op) {
    case "+":
    case "-": {
      const res = a.copy();
      let flags;
      try {
        flags = e.op === "+" ? res.add(b) : res.sub(b);
      } catch (err) {
        if (err instanceof HistogramError) {
          return { v: 0, keep: false, drop: true, warn: `PromQL warning: incompatible bucket layout encountered for binary operator ${e.op} (${pos})` };
        }
        throw err;
      }
      if (e.op === "-") res.counterResetHint = CounterResetHint.Gauge;
      const what = e.op === "+" ? "addition" : "subtraction";
      const out: ElemResult = { v: 0, h: res.compact(), keep: true };
      if (flags.nhcbBoundsReconciled) out.info = `PromQL info: mismatched custom buckets were reconciled during ${what} (${pos})`;
      if (flags.counterResetCollision) {
        out.warn = `PromQL warning: conflicting counter resets during histogram ${what} (${pos})`;
        out.drop = true;
      }
      return out;
    }
    case "==":
      return { v: 0, h: a, keep: a.equals(b) };
    case "!=":
      return { v: 0, h: a, keep: !a.equals(b) };
    default:
      return incompatible();
  }
}

/** Reports an element result's annotations; true when the sample is dropped. */
function annotate(ctx: EvalContext, r: ElemResult): boolean {
  if (r.info !== undefined) ctx.infos.add(r.info);
  if (r.warn !== undefined) ctx.warnings.add(r.warn);
  return r.drop === true;
}

export function scalarScalar(ctx: EvalContext, e: BinaryExpr, l: StepScalar, r: StepScalar): StepScalar {
  const vs = new Float64Array(ctx.n);
  for (let i = 0; i < ctx.n; i++) vs[i] = scalarOp(e.op, l.vs[i]!, r.vs[i]!);
  return { kind: "scalar", vs };
}

export function dropName(ls: Labels): Labels {
  return ls.some((l) => l.name === METRIC_NAME) ? ls.filter((l) => l.name !== METRIC_NAME) : ls;
}

/** vector op scalar, or scalar op vector when `scalarLeft`. Comparisons keep the
 * vector's value wherever it stands; arithmetic and `bool` drop the metric name. */
export function vectorScalar(ctx: EvalContext, e: BinaryExpr, vec: StepVector, sc: StepScalar, scalarLeft: boolean): StepVector {
  const cmp = isComparison(e.op);
  const out: StepVector = { kind: "vector", series: [] };
  for (const s of vec.series) {
    const o = newSeries(s.labels, ctx.n);
    let any = false;
    for (let i = 0; i < ctx.n; i++) {
      if (!s.has[i]) continue;
      const v = s.vs[i]!;
      const x = sc.vs[i]!;
      const hv = s.hs?.[i];
      if (hv !== undefined) {
        const r = scalarLeft ? histogramOp(ctx, e, x, v, undefined, hv) : histogramOp(ctx, e, v, x, hv, undefined);
        if (annotate(ctx, r)) continue;
        if (e.returnBool) {
          o.vs[i] = r.keep ? 1 : 0;
        } else if (r.keep) {
          (o.hs ??= [])[i] = r.h!;
        } else continue;
        o.has[i] = 1;
        any = true;
        continue;
      }
      const res = scalarLeft ? scalarOp(e.op, x, v) : scalarOp(e.op, v, x);
      if (cmp) {
        if (e.returnBool) o.vs[i] = res;
        else if (res === 1) o.vs[i] = v;
        else continue;
      } else o.vs[i] = res;
      o.has[i] = 1;
      any = true;
    }
    if (!any) continue;
    o.dropName = !cmp || e.returnBool || s.dropName;
    out.series.push(o);
  }
  return mergeSameLabels(out);
}

function signatureFn(m: VectorMatching | null): (ls: Labels) => string {
  const on = m?.on ?? false;
  const names = new Set(m?.matchingLabels ?? []);
  if (on) {
    return (ls) => {
      let s = "";
      for (const l of ls) if (names.has(l.name)) s += l.name + "\uffff" + l.value + "\uffff";
      return s;
    };
  }
  return (ls) => {
    let s = "";
    for (const l of ls) if (l.name !== METRIC_NAME && !names.has(l.name)) s += l.name + "\uffff" + l.value + "\uffff";
    return s;
  };
}

function matchLabels(ls: Labels, m: VectorMatching | null): Labels {
  const on = m?.on ?? false;
  const names = new Set(m?.matchingLabels ?? []);
  return ls.filter((l) => (on ? names.has(l.name) : l.name !== METRIC_NAME && !names.has(l.name)));
}

function effective(s: StepSeries): Labels {
  return s.labels;
}

/** Series that ended up with the same labels (after dropping the metric name) become
 * one, unless two of them have a value at the same step, which Prometheus rejects. */
export function mergeSameLabels(v: StepVector): StepVector {
  // Series in strictly increasing label order (a selector's, a pushed-down function's)
  // are all distinct: nothing to merge, and no key to build for each.
  if (strictlyIncreasing(v.series)) return v;
  const byKey = new Map<string, StepSeries>();
  const copied = new Set<string>();
  for (const s of v.series) {
    const key = labelsKey(s.labels) + (s.dropName ? "\u0001" : "");
    const prev = byKey.get(key);
    if (prev === undefined) {
      byKey.set(key, s);
      continue;
    }
    // Inputs may share arrays with other nodes' results: write into a copy.
    const into = copied.has(key) ? prev : { ...prev, vs: prev.vs.slice(), has: prev.has.slice(), ts: prev.ts?.slice(), hs: prev.hs?.slice() };
    copied.add(key);
    for (let i = 0; i < s.has.length; i++) {
      if (!s.has[i]) continue;
      if (into.has[i]) throw new QueryError("execution", "vector cannot contain metrics with the same labelset");
      into.has[i] = 1;
      into.vs[i] = s.vs[i]!;
      const h = s.hs?.[i];
      if (h !== undefined) (into.hs ??= [])[i] = h;
      if (into.ts && s.ts) into.ts[i] = s.ts[i]!;
    }
    byKey.set(key, into);
  }
  return copied.size > 0 ? { kind: "vector", series: [...byKey.values()] } : v;
}

function strictlyIncreasing(series: readonly StepSeries[]): boolean {
  for (let i = 1; i < series.length; i++) if (compareLabels(series[i - 1]!.labels, series[i]!.labels) >= 0) return false;
  return true;
}

/** and / or / unless, matched per step on the signature of on(...) / ignoring(...). */
export function setOp(ctx: EvalContext, e: BinaryExpr, l: StepVector, r: StepVector): StepVector {
  const sig = signatureFn(e.matching);
  const lsig = l.series.map((s) => sig(effective(s)));
  const rsig = r.series.map((s) => sig(effective(s)));
  const out: StepVector = { kind: "vector", series: [] };
  const present = (sigs: string[], side: StepVector, i: number) => {
    const set = new Set<string>();
    side.series.forEach((s, k) => {
      if (s.has[i]) set.add(sigs[k]!);
    });
    return set;
  };
  const rightAt: Set<string>[] = [];
  const leftAt: Set<string>[] = [];
  for (let i = 0; i < ctx.n; i++) {
    rightAt.push(e.op === "or" ? new Set() : present(rsig, r, i));
    leftAt.push(e.op === "or" ? present(lsig, l, i) : new Set());
  }
  const keep = (s: StepSeries, pred: (i: number) => boolean) => {
    const o: StepSeries = { ...s, vs: new Float64Array(ctx.n), has: new Uint8Array(ctx.n) };
    delete o.hs;
    let any = false;
    for (let i = 0; i < ctx.n; i++) {
      if (s.has[i] && pred(i)) {
        o.vs[i] = s.vs[i]!;
        o.has[i] = 1;
        const h = s.hs?.[i];
        if (h !== undefined) (o.hs ??= [])[i] = h;
        any = true;
      }
    }
    if (any) out.series.push(o);
  };
  switch (e.op) {
    case "and":
      l.series.forEach((s, k) => keep(s, (i) => rightAt[i]!.has(lsig[k]!)));
      break;
    case "unless":
      l.series.forEach((s, k) => keep(s, (i) => !rightAt[i]!.has(lsig[k]!)));
      break;
    case "or":
      for (const s of l.series) keep(s, () => true);
      r.series.forEach((s, k) => keep(s, (i) => !leftAt[i]!.has(rsig[k]!)));
      break;
    default:
      throw new Error(`not a set operator: ${e.op}`);
  }
  return mergeSameLabels(out);
}

/** Arithmetic and comparisons between two instant vectors with one-to-one,
 * many-to-one (group_left) or one-to-many (group_right) matching. */
export function vectorVector(ctx: EvalContext, e: BinaryExpr, lhsIn: StepVector, rhsIn: StepVector): StepVector {
  const m: VectorMatching = e.matching ?? { card: "one-to-one", matchingLabels: [], on: false, include: [] };
  if (m.card === "many-to-many") throw new QueryError("execution", "many-to-many only allowed for set operators");
  const swap = m.card === "one-to-many";
  const many = swap ? rhsIn : lhsIn;
  const one = swap ? lhsIn : rhsIn;
  const sig = signatureFn(m);
  const oneSigs = one.series.map((s) => sig(effective(s)));
  const manySigs = many.series.map((s) => sig(effective(s)));
  const oneBySig = new Map<string, number[]>();
  oneSigs.forEach((g, k) => {
    const list = oneBySig.get(g);
    if (list === undefined) oneBySig.set(g, [k]);
    else list.push(k);
  });

  const cmp = isComparison(e.op);
  const outByKey = new Map<string, StepSeries>();
  const pairLabels = new Map<number, Labels>();
  const usedAt = new Map<string, Uint8Array>();
  const insertedAt = new Map<string, Uint8Array>();

  for (let i = 0; i < ctx.n; i++) {
    ctx.checkDeadline();
    for (let a = 0; a < many.series.length; a++) {
      const ls = many.series[a]!;
      if (!ls.has[i]) continue;
      const g = manySigs[a]!;
      const cands = oneBySig.get(g);
      if (cands === undefined) continue;
      let b = -1;
      for (const k of cands) {
        if (!one.series[k]!.has[i]) continue;
        if (b >= 0) {
          const side = swap ? "left" : "right";
          throw new QueryError(
            "execution",
            `found duplicate series for the match group ${labelsToString(matchLabels(effective(one.series[k]!), m))} on the ${side} hand-side of the operation: [${labelsToString(effective(one.series[b]!))}, ${labelsToString(effective(one.series[k]!))}];many-to-many matching not allowed: matching labels must be unique on one side`,
          );
        }
        b = k;
      }
      if (b < 0) continue;
      const rs = one.series[b]!;
      let fl = ls.vs[i]!;
      let fr = rs.vs[i]!;
      let hl = ls.hs?.[i];
      let hr = rs.hs?.[i];
      if (swap) {
        [fl, fr] = [fr, fl];
        [hl, hr] = [hr, hl];
      }
      let value: number;
      let hvalue: FloatHistogram | undefined;
      let keep = true;
      let skip = false;
      if (hl !== undefined || hr !== undefined) {
        const r = histogramOp(ctx, e, fl, fr, hl, hr);
        skip = annotate(ctx, r);
        keep = r.keep;
        value = e.returnBool ? (keep ? 1 : 0) : 0;
        if (!e.returnBool) hvalue = r.h;
        if (e.returnBool) keep = true;
      } else {
        const res = scalarOp(e.op, fl, fr);
        if (cmp) {
          if (e.returnBool) value = res;
          else {
            keep = res === 1;
            value = fl;
          }
        } else value = res;
      }
      if (skip) continue;

      const pairKey = a * (one.series.length + 1) + b;
      let labels = pairLabels.get(pairKey);
      if (labels === undefined) {
        labels = resultLabels(ls, rs, e, m, cmp);
        pairLabels.set(pairKey, labels);
      }
      if (m.card === "one-to-one") {
        let used = usedAt.get(g);
        if (used === undefined) usedAt.set(g, (used = new Uint8Array(ctx.n)));
        if (used[i]) throw new QueryError("execution", "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        used[i] = 1;
      } else {
        const ik = g + "\u0000" + labelsKey(labels);
        let ins = insertedAt.get(ik);
        if (ins === undefined) insertedAt.set(ik, (ins = new Uint8Array(ctx.n)));
        if (ins[i]) throw new QueryError("execution", "multiple matches for labels: grouping labels must ensure unique label sets");
        ins[i] = 1;
      }
      if (!keep) continue;
      const dropped = !cmp || e.returnBool || ls.dropName === true;
      const key = labelsKey(labels) + (dropped ? "\u0001" : "");
      let o = outByKey.get(key);
      if (o === undefined) {
        outByKey.set(key, (o = newSeries(labels, ctx.n)));
        o.dropName = dropped;
      }
      if (o.has[i]) throw new QueryError("execution", "vector cannot contain metrics with the same labelset");
      o.vs[i] = value;
      o.has[i] = 1;
      if (hvalue !== undefined) (o.hs ??= [])[i] = hvalue;
    }
  }
  return { kind: "vector", series: [...outByKey.values()] };
}

function resultLabels(ls: StepSeries, rs: StepSeries, _e: BinaryExpr, m: VectorMatching, _cmp: boolean): Labels {
  const b = new LabelsBuilder(effective(ls));
  if (m.card === "one-to-one") {
    if (m.on) {
      const keep = new Set(m.matchingLabels);
      for (const l of effective(ls)) if (!keep.has(l.name)) b.del(l.name);
    } else for (const n of m.matchingLabels) b.del(n);
  }
  if (m.include.length > 0) {
    const r = effective(rs);
    for (const n of m.include) {
      const v = r.find((l) => l.name === n)?.value ?? "";
      if (v !== "") b.set(n, v);
      else b.del(n);
    }
  }
  return b.labels();
}

export function isArithmetic(op: BinaryOp): boolean {
  return ARITHMETIC.has(op);
}
