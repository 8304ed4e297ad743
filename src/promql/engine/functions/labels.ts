import { isValidLabelName, LabelsBuilder, METRIC_NAME, type Labels } from "../../../model/labels.js";
import { compileRegex } from "../../../model/matchers.js";
import type { Regex } from "../../../model/regex.js";
import { mergeSameLabels } from "../binary.js";
import type { StepString, StepVector } from "../step_values.js";
import { QueryError } from "../value.js";
import type { FunctionImpl } from "./function.js";
import { asVector } from "./helpers.js";

function str(v: unknown): string {
  return (v as StepString).v;
}

/** Go's regexp.Expand: $1, ${1}, $name, ${name}; a name is the longest run of word
 * characters, so "$1x" refers to a group named "1x" (empty when there is none). */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== "$" || i + 1 >= template.length) {
      out += ch;
      continue;
    }
    const next = template[i + 1]!;
    if (next === "$") {
      out += "$";
      i++;
      continue;
    }
    let name: string;
    if (next === "{") {
      const close = template.indexOf("}", i + 2);
      if (close < 0) {
        out += ch;
        continue;
      }
      name = template.slice(i + 2, close);
      i = close;
    } else {
      const mm = /^[a-zA-Z0-9_]+/.exec(template.slice(i + 1));
      if (!mm) {
        out += ch;
        continue;
      }
      name = mm[0];
      i += name.length;
    }
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? "";
    else out += m.groups?.[name] ?? "";
  }
  return out;
}

/** Setting __name__ explicitly keeps it: the result names its metric again. */
function relabel(v: StepVector, dst: string, fn: (ls: Labels) => Labels): StepVector {
  const series = v.series.map((s) => ({ ...s, labels: fn(s.labels), dropName: dst === METRIC_NAME ? false : s.dropName }));
  return mergeSameLabels({ kind: "vector", series });
}

export const labelFunctions: Record<string, FunctionImpl> = {
  label_replace: (_ctx, args) => {
    const [dst, repl, src, regex] = [str(args[1]), str(args[2]), str(args[3]), str(args[4])];
    let re: Regex;
    try {
      re = compileRegex(regex);
    } catch (e) {
      throw new QueryError("execution", `invalid regular expression in label_replace(): ${regex}`);
    }
    if (!isValidLabelName(dst)) throw new QueryError("execution", `invalid destination label name in label_replace(): ${dst}`);
    return relabel(asVector(args[0]!), dst, (ls) => {
      const value = ls.find((l) => l.name === src)?.value ?? "";
      const m = re.exec(value);
      if (!m) return ls;
      return new LabelsBuilder(ls).set(dst, expandTemplate(repl, m)).labels();
    });
  },
  label_join: (_ctx, args) => {
    const dst = str(args[1]);
    const sep = str(args[2]);
    const srcs = args.slice(3).map(str);
    if (!isValidLabelName(dst)) throw new QueryError("execution", `invalid destination label name in label_join(): ${dst}`);
    for (const s of srcs) if (!isValidLabelName(s)) throw new QueryError("execution", `invalid source label name in label_join(): ${s}`);
    return relabel(asVector(args[0]!), dst, (ls) => {
      const value = srcs.map((n) => ls.find((l) => l.name === n)?.value ?? "").join(sep);
      return new LabelsBuilder(ls).set(dst, value).labels();
    });
  },
};
