import { compareLabels, METRIC_NAME, sortLabels, type Label, type Labels } from "../../../model/labels.js";
import type { Expr } from "../../parser/ast.js";
import { newSeries, type StepString, type StepVector } from "../step_values.js";
import type { FunctionImpl } from "./function.js";
import { asRange, asScalar, asVector, overWindows } from "./helpers.js";

/** Labels absent() reports: the equality matchers of a plain selector argument, except
 * the metric name and any label matched more than once. */
function absentLabels(e: Expr | undefined): Labels {
  let sel: Expr | undefined = e;
  if (sel?.type === "MatrixSelector") sel = sel.vectorSelector;
  if (sel?.type !== "VectorSelector") return [];
  const seen = new Map<string, number>();
  for (const m of sel.matchers) seen.set(m.name, (seen.get(m.name) ?? 0) + 1);
  const out: Label[] = [];
  for (const m of sel.matchers) {
    if (m.type === "=" && m.name !== METRIC_NAME && seen.get(m.name) === 1) out.push({ name: m.name, value: m.value });
  }
  return sortLabels(out);
}

function oneWhereMissing(n: number, labels: Labels, missing: (i: number) => boolean): StepVector {
  const o = newSeries(labels, n);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (!missing(i)) continue;
    o.vs[i] = 1;
    o.has[i] = 1;
    any = true;
  }
  return { kind: "vector", series: any ? [o] : [] };
}

/** Sorting only orders an instant query's result: the series are put in the order of
 * their value (or labels) at the first step. */
function sortBy(cmp: (a: StepVector["series"][number], b: StepVector["series"][number]) => number): FunctionImpl {
  return (_ctx, args) => ({ kind: "vector", series: [...asVector(args[0]!).series].sort(cmp) });
}

function byValue(desc: boolean) {
  return (a: StepVector["series"][number], b: StepVector["series"][number]) => {
    const x = a.vs[0]!;
    const y = b.vs[0]!;
    // NaN sorts last either way, as in Prometheus.
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return desc ? y - x : x - y;
  };
}

/** Natural order: digit runs compare as numbers ("2" < "10"), the rest as text. */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+/, "");
      const ny = y.replace(/^0+/, "");
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

function byLabels(names: string[], desc: boolean) {
  return (a: StepVector["series"][number], b: StepVector["series"][number]) => {
    for (const n of names) {
      const x = a.labels.find((l) => l.name === n)?.value ?? "";
      const y = b.labels.find((l) => l.name === n)?.value ?? "";
      if (x !== y) return naturalCompare(x, y) * (desc ? -1 : 1);
    }
    return compareLabels(a.labels, b.labels) * (desc ? -1 : 1);
  };
}

/** sort/sort_desc leave histogram samples out. */
function floatsFirst(fn: FunctionImpl): FunctionImpl {
  return (ctx, args, call) => {
    const v = asVector(args[0]!);
    const floats = v.series.filter((s) => s.hs?.[0] === undefined);
    return fn(ctx, [{ kind: "vector", series: floats }], call);
  };
}

export const miscFunctions: Record<string, FunctionImpl> = {
  absent: (ctx, args, call) => {
    const v = asVector(args[0]!);
    return oneWhereMissing(ctx.n, absentLabels(call.args[0]), (i) => !v.series.some((s) => s.has[i]));
  },
  absent_over_time: (ctx, args, call) => {
    const r = asRange(args[0]!);
    const present = overWindows(ctx, r, (w) => (w.hi > w.lo ? 1 : undefined));
    return oneWhereMissing(ctx.n, absentLabels(call.args[0]), (i) => !present.series.some((s) => s.has[i]));
  },
  scalar: (ctx, args) => {
    const v = asVector(args[0]!);
    const vs = new Float64Array(ctx.n);
    for (let i = 0; i < ctx.n; i++) {
      let found = 0;
      let x = NaN;
      for (const s of v.series) {
        if (!s.has[i] || s.hs?.[i] !== undefined) continue;
        found++;
        x = s.vs[i]!;
      }
      vs[i] = found === 1 ? x : NaN;
    }
    return { kind: "scalar", vs };
  },
  vector: (ctx, args) => {
    const sc = asScalar(args[0], ctx);
    const o = newSeries([], ctx.n);
    o.vs.set(sc.vs);
    o.has.fill(1);
    return { kind: "vector", series: [o] };
  },
  timestamp: (ctx, args) => {
    const v = asVector(args[0]!);
    return {
      kind: "vector",
      series: v.series.map((s) => {
        const o = newSeries(s.labels, ctx.n);
        o.dropName = true;
        for (let i = 0; i < ctx.n; i++) {
          if (!s.has[i]) continue;
          o.vs[i] = (s.ts ? s.ts[i]! : ctx.steps[i]!) / 1000;
          o.has[i] = 1;
        }
        return o;
      }),
    };
  },
  sort: floatsFirst(sortBy(byValue(false))),
  sort_desc: floatsFirst(sortBy(byValue(true))),
  sort_by_label: (ctx, args, call) =>
    sortBy(byLabels(args.slice(1).map((a) => (a as StepString).v), false))(ctx, args, call),
  sort_by_label_desc: (ctx, args, call) =>
    sortBy(byLabels(args.slice(1).map((a) => (a as StepString).v), true))(ctx, args, call),
};
