import type { Call } from "../../parser/ast.js";
import type { EvalContext } from "../context.js";
import type { StepValue } from "../step_values.js";

/** A PromQL function: evaluated arguments in, a value over the same steps out. */
export type FunctionImpl = (ctx: EvalContext, args: StepValue[], call: Call) => StepValue;
