import type { SubqueryExpr } from "../parser/ast.js";
import type { EvalContext } from "./context.js";
import { atTime } from "./selectors.js";

/** Where a subquery's inner expression is evaluated: every `step` from `start` to
 * `end`, the steps being multiples of the subquery step from the epoch inside the
 * earliest window; windowEnds[i] is the end of the window outer step i reads. Empty
 * (start > end) when no inner step falls in any window. */
export interface SubqueryGrid {
  start: number;
  end: number;
  step: number;
  windowEnds: Float64Array;
}

export function subqueryGrid(ctx: EvalContext, e: SubqueryExpr): SubqueryGrid {
  const step = e.step > 0 ? e.step : ctx.defaultSubqueryStep;
  const fixed = atTime(ctx, e.at);
  const windowEnds = new Float64Array(ctx.n);
  let minEnd = Infinity;
  let maxEnd = -Infinity;
  for (let i = 0; i < ctx.n; i++) {
    const end = (fixed ?? ctx.steps[i]!) - e.offset;
    windowEnds[i] = end;
    if (end < minEnd) minEnd = end;
    if (end > maxEnd) maxEnd = end;
  }
  const lowest = minEnd - e.range;
  let start = Math.trunc(lowest / step) * step;
  if (start <= lowest) start += step;
  return { start, end: maxEnd, step, windowEnds };
}
