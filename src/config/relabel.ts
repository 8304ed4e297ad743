// relabel_configs entries: parsing, Prometheus' defaults and validation rules.
import { z } from "zod";
import { isValidLabelName, labelName } from "./names.js";
import { checkRegex } from "./regex.js";
import { list, notNull, obj, str, uint, valueIssue } from "./scalars.js";
import {
  DEFAULT_ACTION,
  DEFAULT_REGEX,
  DEFAULT_REPLACEMENT,
  DEFAULT_SEPARATOR,
  RELABEL_ACTIONS,
  type RelabelAction,
  type RelabelConfig,
} from "../relabel/relabel_config.js";

export type { RelabelAction, RelabelConfig } from "./types.js";

export { RELABEL_ACTIONS } from "../relabel/relabel_config.js";

export const RELABEL_DEFAULTS = {
  separator: DEFAULT_SEPARATOR,
  regex: DEFAULT_REGEX,
  replacement: DEFAULT_REPLACEMENT,
  action: DEFAULT_ACTION,
} as const;

/** Whether `s` is a valid relabel target template: label name characters and
 * `$1` / `${name}` references, not starting with a digit. (A hand-written scan:
 * the equivalent regex backtracks badly in JavaScript.) */
export function isValidRelabelTarget(s: string): boolean {
  let i = 0;
  let first = true;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "$") {
      if (s[i + 1] === "{") {
        const end = s.indexOf("}", i + 2);
        if (end < 0 || !/^\w+$/.test(s.slice(i + 2, end))) return false;
        i = end + 1;
      } else {
        let j = i + 1;
        while (j < s.length && /\w/.test(s[j]!)) j++;
        if (j === i + 1) return false;
        i = j;
      }
    } else if (/\w/.test(c)) {
      if (first && /[0-9]/.test(c)) return false;
      i++;
    } else return false;
    first = false;
  }
  return s.length > 0;
}

const TARGET_REQUIRED: ReadonlySet<RelabelAction> = new Set(["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"]);
const NO_REPLACEMENT: ReadonlySet<RelabelAction> = new Set(["lowercase", "uppercase", "keepequal", "dropequal"]);

/** Prometheus' checks on one relabel config; returns the first error message. */
export function validateRelabelConfig(c: RelabelConfig, explicit: { regex: boolean; sourceLabels: boolean }): string | undefined {
  const target = c.targetLabel ?? "";
  const a = c.action;
  if (a === "hashmod" && (c.modulus ?? 0) === 0) return "relabel configuration for hashmod requires non-zero modulus";
  if (TARGET_REQUIRED.has(a) && target === "") return `relabel configuration for ${a} action requires 'target_label' value`;
  if (a === "replace" && !target.includes("$") && !isValidLabelName(target)) return `"${target}" is invalid 'target_label' for ${a} action`;
  if (a === "replace" && target.includes("$") && !isValidRelabelTarget(target)) return `"${target}" is invalid 'target_label' for ${a} action`;
  if (NO_REPLACEMENT.has(a) && !isValidLabelName(target)) return `"${target}" is invalid 'target_label' for ${a} action`;
  if (NO_REPLACEMENT.has(a) && c.replacement !== RELABEL_DEFAULTS.replacement) return `'replacement' can not be set for ${a} action`;
  if (a === "labelmap" && !isValidRelabelTarget(c.replacement)) return `"${c.replacement}" is invalid 'replacement' for ${a} action`;
  if (a === "hashmod" && !isValidLabelName(target)) return `"${target}" is invalid 'target_label' for ${a} action`;
  if ((a === "keepequal" || a === "dropequal") && (explicit.regex || (c.modulus ?? 0) !== 0 || c.separator !== RELABEL_DEFAULTS.separator || c.replacement !== RELABEL_DEFAULTS.replacement)) {
    return `${a} action requires only 'source_labels' and \`target_label\`, and no other fields`;
  }
  if ((a === "labeldrop" || a === "labelkeep") && (explicit.sourceLabels || target !== "" || (c.modulus ?? 0) !== 0 || c.separator !== RELABEL_DEFAULTS.separator || c.replacement !== RELABEL_DEFAULTS.replacement)) {
    return `${a} action requires only 'regex', and no other fields`;
  }
  return undefined;
}

/** Schema of one relabel config entry (YAML tree in, {@link RelabelConfig} out). */
export const relabelConfigSchema = obj("relabel.Config", {
  source_labels: list(labelName(), "model.LabelNames").optional(),
  separator: str().optional(),
  regex: str().optional(),
  modulus: uint().optional(),
  target_label: str().optional(),
  replacement: str().optional(),
  action: str("relabel.Action").optional(),
}).transform((raw, ctx): RelabelConfig => {
  const actionText = raw.action ?? RELABEL_DEFAULTS.action;
  const action = actionText.toLowerCase() as RelabelAction;
  if (!RELABEL_ACTIONS.includes(action)) {
    valueIssue(ctx, actionText === "" ? "relabel action cannot be empty" : `unknown relabel action "${actionText}"`, ["action"]);
    return z.NEVER;
  }
  const regex = raw.regex ?? RELABEL_DEFAULTS.regex;
  const regexError = checkRegex(regex);
  if (regexError !== undefined) {
    valueIssue(ctx, regexError, ["regex"]);
    return z.NEVER;
  }
  const out: RelabelConfig = {
    sourceLabels: raw.source_labels ?? [],
    separator: raw.separator ?? RELABEL_DEFAULTS.separator,
    regex,
    replacement: raw.replacement ?? RELABEL_DEFAULTS.replacement,
    action,
  };
  if (raw.modulus !== undefined && raw.modulus !== 0) out.modulus = raw.modulus;
  if (raw.target_label !== undefined && raw.target_label !== "") out.targetLabel = raw.target_label;
  const err = validateRelabelConfig(out, { regex: raw.regex !== undefined, sourceLabels: raw.source_labels !== undefined });
  if (err !== undefined) {
    valueIssue(ctx, err);
    return z.NEVER;
  }
  return out;
});

/** A relabel_configs list; `nullMessage` is Prometheus' error for a `- ~` entry. */
export function relabelList(nullMessage: string) {
  return list(
    notNull(nullMessage).pipe(relabelConfigSchema),
    "[]*relabel.Config",
  );
}
