import { isValidLabelName, type Labels } from "../model/labels.js";
import { compileRegex } from "../model/matchers.js";
import type { Regex } from "../model/regex.js";
import { RelabelBuilder } from "./builder.js";
import { goToLower, goToUpper } from "./gocase.js";
import { hashMod } from "./md5.js";
import {
  DEFAULT_REGEX,
  DEFAULT_REPLACEMENT,
  DEFAULT_SEPARATOR,
  RELABEL_ACTIONS,
  type RelabelAction,
  type RelabelConfig,
} from "./relabel_config.js";
import { expandTemplate, parseTemplate, type Template } from "./template.js";

export class RelabelConfigError extends Error {}

/** How label names produced by relabeling are validated: "legacy" is
 * `[a-zA-Z_][a-zA-Z0-9_]*` (Prometheus 2 and edgeprom's model); "utf8" is any
 * non-empty well-formed string (Prometheus 3's default). */
export type NameValidation = "legacy" | "utf8";

export interface CompileOptions {
  nameValidation?: NameValidation;
}

/** A relabel config checked and prepared once: regex compiled (fully anchored, RE2
 * semantics as far as JavaScript allows), templates parsed. */
export interface CompiledRelabelConfig {
  readonly config: RelabelConfig;
  readonly action: RelabelAction;
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly regex: Regex;
  /** The regex is the default `(.*)`: it matches every string and group 1 is all of it. */
  readonly matchAll: boolean;
  readonly targetLabel: string;
  readonly target: Template;
  readonly replacement: Template;
  readonly modulus: number;
  readonly validName: (name: string) => boolean;
}

const LONE_SURROGATE = /\p{Cs}/u;

function isValidUtf8Name(name: string): boolean {
  return name.length > 0 && !LONE_SURROGATE.test(name);
}

/** Prometheus' relabelTargetLegacy, `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`,
 * scanned by hand (the nested quantifiers backtrack exponentially in JavaScript). */
export function isValidLegacyNameTemplate(s: string): boolean {
  let i = 0;
  let first = true;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 36 /* $ */) {
      const j = legacyRefEnd(s, i + 1);
      if (j < 0) return false;
      i = j;
    } else if (isWord(c)) {
      if (first && c >= 48 && c <= 57) return false;
      i++;
    } else {
      return false;
    }
    first = false;
  }
  return !first;
}

function legacyRefEnd(s: string, i: number): number {
  if (s.charCodeAt(i) === 123 /* { */) {
    let j = i + 1;
    while (j < s.length && isWord(s.charCodeAt(j))) j++;
    if (j === i + 1 || s.charCodeAt(j) !== 125 /* } */) return -1;
    return j + 1;
  }
  let j = i;
  while (j < s.length && isWord(s.charCodeAt(j))) j++;
  return j === i ? -1 : j;
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** Checks a config the way Prometheus' relabel.Config.Validate does, with the same
 * messages. */
export function validateRelabelConfig(c: RelabelConfig, opts: CompileOptions = {}): void {
  const scheme = opts.nameValidation ?? "legacy";
  const valid = scheme === "utf8" ? isValidUtf8Name : isValidLabelName;
  const validTemplate = scheme === "utf8" ? isValidUtf8Name : isValidLegacyNameTemplate;
  const a = c.action;
  const target = c.targetLabel ?? "";
  const modulus = c.modulus ?? 0;
  if ((a as string) === "" || a === undefined) throw new RelabelConfigError("relabel action cannot be empty");
  if (!RELABEL_ACTIONS.includes(a)) throw new RelabelConfigError(`unknown relabel action ${q(a)}`);
  for (const ln of c.sourceLabels) {
    if (!valid(ln)) throw new RelabelConfigError(`${q(ln)} is not a valid label name`);
  }
  if (a === "hashmod" && modulus === 0) {
    throw new RelabelConfigError("relabel configuration for hashmod requires non-zero modulus");
  }
  if (a === "hashmod" && !(Number.isSafeInteger(modulus) && modulus > 0)) {
    throw new RelabelConfigError(`invalid modulus ${modulus} for hashmod action`);
  }
  const needsTarget = a === "replace" || a === "hashmod" || a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal";
  if (needsTarget && target === "") {
    throw new RelabelConfigError(`relabel configuration for ${a} action requires 'target_label' value`);
  }
  const hasVar = target.includes("$");
  if (a === "replace" && !hasVar && !valid(target)) {
    throw new RelabelConfigError(`${q(target)} is invalid 'target_label' for ${a} action`);
  }
  if (a === "replace" && hasVar && !validTemplate(target)) {
    throw new RelabelConfigError(`${q(target)} is invalid 'target_label' for ${a} action`);
  }
  const targetOnly = a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal";
  if (targetOnly && !valid(target)) {
    throw new RelabelConfigError(`${q(target)} is invalid 'target_label' for ${a} action`);
  }
  if (targetOnly && c.replacement !== DEFAULT_REPLACEMENT) {
    throw new RelabelConfigError(`'replacement' can not be set for ${a} action`);
  }
  if (a === "labelmap" && !validTemplate(c.replacement)) {
    throw new RelabelConfigError(`${q(c.replacement)} is invalid 'replacement' for ${a} action`);
  }
  if (a === "hashmod" && !valid(target)) {
    throw new RelabelConfigError(`${q(target)} is invalid 'target_label' for ${a} action`);
  }
  if (a === "keepequal" || a === "dropequal") {
    if (c.regex !== DEFAULT_REGEX || modulus !== 0 || c.separator !== DEFAULT_SEPARATOR || c.replacement !== DEFAULT_REPLACEMENT) {
      throw new RelabelConfigError(`${a} action requires only 'source_labels' and \`target_label\`, and no other fields`);
    }
  }
  if (a === "labeldrop" || a === "labelkeep") {
    if (c.sourceLabels.length > 0 || target !== "" || modulus !== 0 || c.separator !== DEFAULT_SEPARATOR || c.replacement !== DEFAULT_REPLACEMENT) {
      throw new RelabelConfigError(`${a} action requires only 'regex', and no other fields`);
    }
  }
}

export function compileRelabelConfig(c: RelabelConfig, opts: CompileOptions = {}): CompiledRelabelConfig {
  validateRelabelConfig(c, opts);
  let regex: Regex;
  try {
    regex = compileRegex(c.regex);
  } catch (e) {
    throw new RelabelConfigError((e as Error).message);
  }
  const targetLabel = c.targetLabel ?? "";
  return {
    config: c,
    action: c.action,
    sourceLabels: c.sourceLabels.slice(),
    separator: c.separator,
    regex,
    matchAll: c.regex === DEFAULT_REGEX,
    targetLabel,
    target: parseTemplate(targetLabel),
    replacement: parseTemplate(c.replacement),
    modulus: c.modulus ?? 0,
    validName: (opts.nameValidation ?? "legacy") === "utf8" ? isValidUtf8Name : isValidLabelName,
  };
}

/** Validates and compiles every config once; call at config load, never per sample. */
export function compileRelabelConfigs(configs: readonly RelabelConfig[], opts: CompileOptions = {}): CompiledRelabelConfig[] {
  return configs.map((c) => compileRelabelConfig(c, opts));
}

function sourceValue(lb: RelabelBuilder, cfg: CompiledRelabelConfig): string {
  const src = cfg.sourceLabels;
  const n = src.length;
  if (n === 1) return lb.get(src[0]!);
  if (n === 0) return "";
  let v = lb.get(src[0]!);
  for (let i = 1; i < n; i++) v += cfg.separator + lb.get(src[i]!);
  return v;
}

/** Applies one step; false means the label set is dropped. */
function step(cfg: CompiledRelabelConfig, lb: RelabelBuilder): boolean {
  const val = sourceValue(lb, cfg);
  switch (cfg.action) {
    case "drop":
      return !(cfg.matchAll || cfg.regex.test(val));
    case "keep":
      return cfg.matchAll || cfg.regex.test(val);
    case "dropequal":
      return lb.get(cfg.targetLabel) !== val;
    case "keepequal":
      return lb.get(cfg.targetLabel) === val;
    case "replace": {
      const rep = cfg.replacement;
      const tgt = cfg.target;
      let m: RegExpExecArray | readonly string[] | null;
      if (cfg.matchAll) {
        // `(.*)` matches everything with group 1 = the whole value.
        if (tgt.literal !== null && rep.parts.length === 1 && rep.parts[0] === 1) {
          lb.set(tgt.literal, val);
          return true;
        }
        m = [val, val];
      } else {
        m = cfg.regex.exec(val);
        if (m === null) return true;
      }
      const target = tgt.literal ?? expandTemplate(tgt, m);
      if (tgt.literal === null && !cfg.validName(target)) return true;
      const res = expandTemplate(rep, m);
      if (res === "") lb.delete(target);
      else lb.set(target, res);
      return true;
    }
    case "lowercase":
      lb.set(cfg.targetLabel, goToLower(val));
      return true;
    case "uppercase":
      lb.set(cfg.targetLabel, goToUpper(val));
      return true;
    case "hashmod":
      lb.set(cfg.targetLabel, String(hashMod(val, cfg.modulus)));
      return true;
    case "labelmap": {
      const re = cfg.regex;
      const rep = cfg.replacement;
      lb.range((l) => {
        const m = re.exec(l.name);
        if (m !== null) lb.set(expandTemplate(rep, m), l.value);
      });
      return true;
    }
    case "labeldrop": {
      const re = cfg.regex;
      lb.range((l) => {
        if (re.test(l.name)) lb.delete(l.name);
      });
      return true;
    }
    case "labelkeep": {
      const re = cfg.regex;
      lb.range((l) => {
        if (!re.test(l.name)) lb.delete(l.name);
      });
      return true;
    }
  }
}

/** Prometheus' relabel.ProcessBuilder: applies the steps in order to `lb`; false as
 * soon as one drops the set. */
export function relabelBuilder(lb: RelabelBuilder, configs: readonly CompiledRelabelConfig[]): boolean {
  for (let i = 0; i < configs.length; i++) if (!step(configs[i]!, lb)) return false;
  return true;
}

const EMPTY: Labels = [];
const shared = new RelabelBuilder(EMPTY);

/** Prometheus' relabel.Process: the relabeled set, or null when a step dropped it.
 * When nothing changed the input array itself is returned (no allocation). */
export function relabel(labels: Labels, configs: readonly CompiledRelabelConfig[]): Labels | null {
  if (configs.length === 0) return labels;
  // Relabeling is synchronous, so one builder serves every call.
  shared.reset(labels);
  try {
    return relabelBuilder(shared, configs) ? shared.labels() : null;
  } finally {
    shared.reset(EMPTY);
  }
}
