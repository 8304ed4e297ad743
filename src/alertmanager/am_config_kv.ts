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

/** The tier's alertmanager.yml text, or null when none is stored (no Alertmanager). */
export async function loadAmConfigText(kv: KVReader, tier: string): Promise<StoredAmConfig | null> {
  for (const key of amConfigKeysFor(tier)) {
    const text = await kv.get(key);
    if (text !== null) return { key, text };
  }
  return null;
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
    const re = new RegExp(`^${key.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
    const listed = await kv.list({ prefix });
    for (const k of listed.keys.map((x) => x.name).filter((n) => re.test(n)).sort()) {
      const text = await kv.get(k);
      if (text !== null) out.push({ name: k, text });
    }
  }
  return out;
}
