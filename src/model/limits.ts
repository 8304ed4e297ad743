import { formatSeries, type Label } from "./labels.js";

/**
 * Bounds on what clients may send, so one bad sender cannot fill a shard's memory or
 * its index: label counts and sizes per series (remote write, pushes), series per
 * push, and PromQL text length. Prometheus itself has only scrape-side limits; these
 * follow the receiving systems built on it (Mimir, Cortex), set from Worker vars.
 */
export interface InputLimits {
  labelsPerSeries: number;
  labelNameLength: number;
  labelValueLength: number;
  seriesPerPush: number;
  queryLength: number;
}

export const DEFAULT_LIMITS: InputLimits = {
  labelsPerSeries: 64,
  labelNameLength: 1024,
  labelValueLength: 16 * 1024,
  seriesPerPush: 100_000,
  queryLength: 128 * 1024,
};

const VARS = {
  labelsPerSeries: "LIMIT_LABELS_PER_SERIES",
  labelNameLength: "LIMIT_LABEL_NAME_LENGTH",
  labelValueLength: "LIMIT_LABEL_VALUE_LENGTH",
  seriesPerPush: "LIMIT_SERIES_PER_PUSH",
  queryLength: "LIMIT_QUERY_LENGTH",
} as const satisfies Record<keyof InputLimits, string>;

/** Limits from Worker vars (LIMIT_*); a missing or unreadable var keeps the default,
 * 0 turns a limit off. */
export function limitsFrom(vars: { readonly [V in (typeof VARS)[keyof InputLimits]]?: string }): InputLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const [k, name] of Object.entries(VARS) as [keyof InputLimits, (typeof VARS)[keyof InputLimits]][]) {
    const v = vars[name];
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (Number.isInteger(n) && n >= 0) out[k] = n;
  }
  return out;
}

/** Why a series breaks the label limits, naming it; undefined when it does not. */
export function labelLimitError(labels: readonly Label[], limits: InputLimits): string | undefined {
  if (limits.labelsPerSeries > 0 && labels.length > limits.labelsPerSeries) {
    return `series ${formatSeries(labels)} has ${labels.length} labels, more than the limit of ${limits.labelsPerSeries}`;
  }
  for (const l of labels) {
    if (limits.labelNameLength > 0 && l.name.length > limits.labelNameLength) {
      return `label name "${l.name.slice(0, 64)}..." of series ${formatSeries(labels).slice(0, 200)} is ${l.name.length} characters long, more than the limit of ${limits.labelNameLength}`;
    }
    if (limits.labelValueLength > 0 && l.value.length > limits.labelValueLength) {
      return `value of label "${l.name}" of series ${formatSeries(labels).slice(0, 200)}... is ${l.value.length} characters long, more than the limit of ${limits.labelValueLength}`;
    }
  }
  return undefined;
}
