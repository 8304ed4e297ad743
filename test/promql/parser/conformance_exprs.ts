import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedPath } from "../../support/shared.js";

/** Extracts the expressions of `eval` commands from promqltest scripts (read in place
 * from the shared conformance data, never copied). */

const conformance = sharedPath("conformance", "promqltest");
export const CONFORMANCE_DIR = conformance.path;

export interface EvalCase {
  file: string;
  line: number;
  expr: string;
  /** The block expects the query to fail (`eval_fail` or an `expect fail` line). */
  expectFail: boolean;
}

const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+\S+\s+)?(.+)$/;
const EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+\s+(.+)$/;

/** The scripts' names; none when the shared data is absent outside CI (in CI that
 * already failed in sharedPath). A present but empty directory is an error too. */
export function conformanceFiles(): string[] {
  if (!conformance.present) return [];
  const files = readdirSync(CONFORMANCE_DIR)
    .filter((f) => f.endsWith(".test"))
    .sort();
  if (files.length === 0) throw new Error(`no .test files in ${CONFORMANCE_DIR}`);
  return files;
}

export function evalCases(file: string): EvalCase[] {
  const lines = readFileSync(join(CONFORMANCE_DIR, file), "utf8").split("\n");
  const out: EvalCase[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const m = EVAL_INSTANT.exec(text) ?? EVAL_RANGE.exec(text);
    if (!m) continue;
    let expectFail = m[1] === "fail";
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!.trim();
      if (l === "" || /^(eval|load|clear)\b/.test(l)) break;
      if (/^expect\s+fail\b/.test(l)) expectFail = true;
    }
    out.push({ file, line: i + 1, expr: m[2]!.trim(), expectFail });
  }
  return out;
}
