// Where the configuration lives in the CONFIG KV namespace, and loading it.
import { ConfigError } from "./errors.js";
import { parseConfig } from "./load.js";
import type { Config } from "./types.js";

/** The KV binding name of the configuration namespace. */
export const CONFIG_BINDING = "CONFIG";

/** The prometheus.yml shared by every region. */
export const SHARED_CONFIG_KEY = "prometheus.yml";

const REGION_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isValidRegionName(region: string): boolean {
  return REGION_RE.test(region);
}

/** `regions/<region>/prometheus.yml`: one region's own prometheus.yml, which
 * replaces the shared one for that region. */
export function regionConfigKey(region: string): string {
  if (!isValidRegionName(region)) throw new ConfigError(`invalid region name "${region}": use letters, digits, "_", "." and "-"`);
  return `regions/${region}/prometheus.yml`;
}

/** The key a configuration is pushed to: the region's own, or the shared one. */
export function configKey(region?: string): string {
  return region === undefined ? SHARED_CONFIG_KEY : regionConfigKey(region);
}

/** Keys looked at for a region, in order of preference. */
export function configKeysFor(region?: string): string[] {
  return region === undefined ? [SHARED_CONFIG_KEY] : [regionConfigKey(region), SHARED_CONFIG_KEY];
}

/** The KV key of a file a configuration refers to (rule_files, file_sd_configs
 * files): the path as written, without a leading `./`. Relative paths are
 * relative to the namespace root, where prometheus.yml is. */
export function fileKey(path: string): string {
  let p = path.replace(/\\/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  return p.replace(/\/{2,}/g, "/");
}

/** The part of a Workers KVNamespace this module needs. */
export interface KVReader {
  get(key: string): Promise<string | null>;
}

export interface LoadedConfig {
  config: Config;
  /** The KV key the configuration was read from. */
  key: string;
  /** The YAML text as stored. */
  text: string;
}

/** Loads the configuration for `region` (or the shared one without a region):
 * `regions/<region>/prometheus.yml` if present, else `prometheus.yml`. Throws a
 * ConfigError naming the key when none is stored or the stored one is invalid. */
export async function loadConfigFromKV(kv: KVReader, region?: string): Promise<LoadedConfig> {
  const keys = configKeysFor(region);
  for (const key of keys) {
    const text = await kv.get(key);
    if (text === null) continue;
    try {
      return { config: parseConfig(text, region === undefined ? {} : { region }), key, text };
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`invalid configuration in KV key ${key}: ${e.message}`, e.issues);
      throw e;
    }
  }
  const where = keys.length === 1 ? keys[0] : `${keys.slice(0, -1).join(", ")} nor ${keys[keys.length - 1]}`;
  throw new ConfigError(
    `no configuration in the ${CONFIG_BINDING} KV namespace: ${keys.length === 1 ? `${where} is not set` : `neither ${where} is set`}${region === undefined ? "" : ` (region "${region}")`}; ` +
      "store one with `npx edgeprom config push prometheus.yml`",
  );
}
