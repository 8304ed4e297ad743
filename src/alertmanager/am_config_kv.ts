// Where alertmanager.yml lives: the CONFIG KV namespace, beside prometheus.yml, with
// the same per-region override (`regions/<tier>/alertmanager.yml`).
import type { KVReader } from "../config/kv_keys.js";
import { fileKey, isValidRegionName } from "../config/kv_keys.js";

export const SHARED_AM_CONFIG_KEY = "alertmanager.yml";

export function amConfigKeysFor(tier: string): string[] {
  return isValidRegionName(tier) ? [`regions/${tier}/alertmanager.yml`, SHARED_AM_CONFIG_KEY] : [SHARED_AM_CONFIG_KEY];
}

export interface StoredAmConfig {
  key: string;
  text: string;
}

/** What a tier's Alertmanager runs until an alertmanager.yml is stored: alerts are
 * taken, grouped, silenced and shown (the API, amtool, the /am page), and sent
 * nowhere, as with an Alertmanager whose only receiver has no integrations. */
export const DEFAULT_AM_CONFIG: StoredAmConfig = {
  key: "(built-in default)",
  text: `# edgeprom's built-in default: no alertmanager.yml is stored in the CONFIG KV namespace.
# Alerts are kept and shown, and sent nowhere. Store yours with
#   npx edgeprom alertmanager push alertmanager.yml
route:
  receiver: "null"
  group_by: [alertname]
receivers:
  - name: "null"
`,
};

/** The tier's alertmanager.yml text, or the built-in default when none is stored. */
export async function loadAmConfigText(kv: KVReader, tier: string): Promise<StoredAmConfig> {
  for (const key of amConfigKeysFor(tier)) {
    const text = await kv.get(key);
    if (text !== null) return { key, text };
  }
  return DEFAULT_AM_CONFIG;
}

/** Template files named by `templates:` are KV keys (globs: `*` within one path segment). */
export async function loadTemplateTexts(kv: KVReader & { list?: (o: { prefix: string }) => Promise<{ keys: { name: string }[] }> }, globs: string[]): Promise<{ name: string; text: string }[]> {
  const out: { name: string; text: string }[] = [];
  for (const g of globs) {
    const key = fileKey(g);
    if (!key.includes("*")) {
      const text = await kv.get(key);
      if (text !== null) out.push({ name: key, text });
      continue;
    }
    if (kv.list === undefined) continue;
    const prefix = key.slice(0, key.indexOf("*"));
    const listed = await kv.list({ prefix });
    for (const k of listed.keys.map((x) => x.name).filter((n) => globMatch(key, n)).sort()) {
      const text = await kv.get(k);
      if (text !== null) out.push({ name: k, text });
    }
  }
  return out;
}

/** `*` matches any run of characters other than "/" (the classic two-pointer wildcard
 * walk, linear in practice, no regex). */
export function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = n;
    } else if (star >= 0 && name[mark] !== "/") {
      p = star + 1;
      n = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}
