/** The parsed shape of one `relabel_configs` / `metric_relabel_configs` entry. The
 * config layer produces structurally identical objects; this module owns the type so
 * that relabeling depends on nothing but the model. */

export type RelabelAction =
  | "replace"
  | "keep"
  | "drop"
  | "keepequal"
  | "dropequal"
  | "hashmod"
  | "labelmap"
  | "labeldrop"
  | "labelkeep"
  | "lowercase"
  | "uppercase";

export const RELABEL_ACTIONS: readonly RelabelAction[] = [
  "replace",
  "keep",
  "drop",
  "keepequal",
  "dropequal",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
];

export interface RelabelConfig {
  /** Labels whose values are joined with `separator`; a missing label reads as "". */
  sourceLabels: string[];
  separator: string;
  /** RE2 syntax, unanchored as written by the user; it is fully anchored on compile. */
  regex: string;
  modulus?: number;
  targetLabel?: string;
  replacement: string;
  action: RelabelAction;
}

/** Prometheus' DefaultRelabelConfig. */
export const DEFAULT_SEPARATOR = ";";
export const DEFAULT_REGEX = "(.*)";
export const DEFAULT_REPLACEMENT = "$1";
export const DEFAULT_ACTION: RelabelAction = "replace";

/** Fills in Prometheus' defaults, for callers (and tests) that write configs by hand. */
export function relabelConfig(partial: Partial<RelabelConfig> & { action?: RelabelAction }): RelabelConfig {
  const cfg: RelabelConfig = {
    sourceLabels: partial.sourceLabels ?? [],
    separator: partial.separator ?? DEFAULT_SEPARATOR,
    regex: partial.regex ?? DEFAULT_REGEX,
    replacement: partial.replacement ?? DEFAULT_REPLACEMENT,
    action: partial.action ?? DEFAULT_ACTION,
  };
  if (partial.modulus !== undefined) cfg.modulus = partial.modulus;
  if (partial.targetLabel !== undefined) cfg.targetLabel = partial.targetLabel;
  return cfg;
}
