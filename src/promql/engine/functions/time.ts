import { newSeries, type StepValue, type StepVector } from "../step_values.js";
import type { EvalContext } from "../context.js";
import type { FunctionImpl } from "./function.js";
import { asVector, mapVector } from "./helpers.js";

/** With no argument, date functions read time() as a one-sample vector. */
function dateArg(ctx: EvalContext, args: StepValue[]): StepVector {
  if (args.length > 0) return asVector(args[0]!);
  const s = newSeries([], ctx.n);
  for (let i = 0; i < ctx.n; i++) {
    s.vs[i] = ctx.steps[i]! / 1000;
    s.has[i] = 1;
  }
  return { kind: "vector", series: [s] };
}

function dateFn(fn: (d: Date) => number): FunctionImpl {
  return (ctx, args) => mapVector(ctx, dateArg(ctx, args), (x) => (Number.isFinite(x) ? fn(new Date(Math.trunc(x) * 1000)) : NaN));
}

export const timeFunctions: Record<string, FunctionImpl> = {
  time: (ctx) => ({ kind: "scalar", vs: ctx.steps.map((t) => t / 1000) }),
  step: (ctx) => ({ kind: "scalar", vs: new Float64Array(ctx.n).fill(ctx.interval / 1000) }),
  start: (ctx) => ({ kind: "scalar", vs: new Float64Array(ctx.n).fill(ctx.queryStart / 1000) }),
  end: (ctx) => ({ kind: "scalar", vs: new Float64Array(ctx.n).fill(ctx.queryEnd / 1000) }),
  range: (ctx) => ({ kind: "scalar", vs: new Float64Array(ctx.n).fill((ctx.queryEnd - ctx.queryStart) / 1000) }),
  minute: dateFn((d) => d.getUTCMinutes()),
  hour: dateFn((d) => d.getUTCHours()),
  day_of_week: dateFn((d) => d.getUTCDay()),
  day_of_month: dateFn((d) => d.getUTCDate()),
  day_of_year: dateFn((d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1),
  days_in_month: dateFn((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  month: dateFn((d) => d.getUTCMonth() + 1),
  year: dateFn((d) => d.getUTCFullYear()),
};
