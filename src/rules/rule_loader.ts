import { fileKey } from "../config/kv_keys.js";
import { parseRuleFile } from "../config/rule_file.js";
import { globToRegExp } from "../discovery/file.js";
import type { Regex } from "../model/regex.js";
import type { LoadedRuleFile } from "./manager.js";
import { ruleFileChecks } from "./rule_checks.js";

/** Where rule files are read from: the CONFIG KV namespace, whose keys are the paths
 * prometheus.yml's rule_files name. */
export interface RuleFilesIO {
  get(key: string): Promise<string | null>;
  /** Every key starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}

export interface RuleFilesLoad {
  files: LoadedRuleFile[];
  /** Every problem, each prefixed with its file's key; the load failed if any. */
  errors: string[];
  /** The files' keys and texts, to tell whether anything changed since last time. */
  fingerprint: string;
  /** The texts are those of `unchangedSince`: nothing was parsed and `files` is empty. */
  unchanged: boolean;
}

const META = /[*?[\\]/;

/** rule_files entries as KV keys: a path names one key (missing keys are skipped,
 * as Prometheus skips missing files); a glob names the keys it matches, in order. */
async function expand(patterns: readonly string[], io: RuleFilesIO): Promise<{ keys: string[]; errors: string[] }> {
  const keys: string[] = [];
  const errors: string[] = [];
  for (const pattern of patterns) {
    const p = fileKey(pattern);
    const m = META.exec(p);
    if (m === null) {
      keys.push(p);
      continue;
    }
    let re: Regex;
    try {
      re = globToRegExp(p);
    } catch (e) {
      errors.push(`${pattern}: ${(e as Error).message}`);
      continue;
    }
    keys.push(...(await io.list(p.slice(0, m.index))).filter((k) => re.test(k)).sort());
  }
  return { keys: [...new Set(keys)], errors };
}

/** Reads and validates every rule file of a configuration. Files whose fingerprint is
 * `unchangedSince` (a load that succeeded) are not parsed again: the periodic reload
 * of a thousand rules costs reading them, not parsing them. */
export async function loadRuleFiles(patterns: readonly string[], io: RuleFilesIO, unchangedSince?: string): Promise<RuleFilesLoad> {
  const { keys, errors } = await expand(patterns, io);
  const contents = await Promise.all(keys.map((k) => io.get(k)));
  const texts: [string, string][] = [];
  keys.forEach((key, i) => {
    const text = contents[i];
    if (text !== null && text !== undefined) texts.push([key, text]);
  });
  const fingerprint = JSON.stringify(texts);
  if (errors.length === 0 && fingerprint === unchangedSince) return { files: [], errors, fingerprint, unchanged: true };
  const files: LoadedRuleFile[] = [];
  for (const [key, text] of texts) {
    const parsed = parseRuleFile(text, { checks: ruleFileChecks });
    if (parsed.errors.length > 0) errors.push(...parsed.errors.map((e) => `${key}: ${e}`));
    else files.push({ file: key, groups: parsed.groups });
  }
  return { files, errors, fingerprint, unchanged: false };
}

/** KV listing with its pages followed. */
export function kvRuleFilesIO(kv: KVNamespace): RuleFilesIO {
  return {
    get: (key) => kv.get(key),
    async list(prefix) {
      const out: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await kv.list(cursor === undefined ? { prefix } : { prefix, cursor });
        out.push(...page.keys.map((k) => k.name));
        if (page.list_complete) return out;
        cursor = page.cursor;
      }
    },
  };
}
