import { z } from "zod";
import { isValidUTF8, quote } from "../model/quote.js";
import { isYamlMap } from "./yaml_tree.js";
import { str, typeMismatch, valueIssue } from "./scalars.js";

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus' (legacy) label name rule, which Prometheus 2.x enforces in config. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/** A label name field: `"1a" is not a valid label name` otherwise. */
export const labelName = () =>
  str("model.LabelName").transform((s, ctx) => {
    if (!isValidLabelName(s)) {
      valueIssue(ctx, `"${s}" is not a valid label name`);
      return z.NEVER;
    }
    return s;
  });

/** A label set (`labels`, `external_labels`): names checked, values valid UTF-8 (a
 * `!!binary` value can be anything else). */
export const labelSet = (goType = "model.LabelSet") =>
  z
    .custom<any>((v) => isYamlMap(v), { error: (iss) => typeMismatch(iss.input, goType) })
    .pipe(z.record(z.string(), str()))
    .transform((m, ctx) => {
      for (const k of Object.keys(m)) {
        if (!isValidLabelName(k)) {
          valueIssue(ctx, `"${k}" is not a valid label name`, [k]);
          return z.NEVER;
        }
        if (!isValidUTF8(m[k]!)) {
          valueIssue(ctx, `${quote(m[k]!)} is not a valid label value`, [k]);
          return z.NEVER;
        }
      }
      return m;
    });
