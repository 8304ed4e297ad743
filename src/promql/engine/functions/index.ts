import type { FunctionImpl } from "./function.js";
import { histogramFunctions } from "./histogram.js";
import { labelFunctions } from "./labels.js";
import { mathFunctions } from "./math.js";
import { miscFunctions } from "./misc.js";
import { rangeFunctions } from "./range.js";
import { timeFunctions } from "./time.js";

export type { FunctionImpl };

/** Every PromQL function the engine evaluates, by name. */
export const FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
  ...rangeFunctions,
  ...mathFunctions,
  ...timeFunctions,
  ...labelFunctions,
  ...histogramFunctions,
  ...miscFunctions,
};
