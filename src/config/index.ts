// prometheus.yml for edgeprom: parsing and validation (Prometheus' rules and
// wording), printing with secrets masked, KV storage, and Workers-specific warnings.
export { ConfigError, formatPath, type ConfigIssue } from "./errors.js";
export { parseConfig, applyGlobalDefaults, type ParseOptions } from "./load.js";
export { configToYaml, relabelToYaml, formatBytes, SECRET } from "./print.js";
export {
  CONFIG_BINDING,
  SHARED_CONFIG_KEY,
  configKey,
  configKeysFor,
  fileKey,
  isValidRegionName,
  loadConfigFromKV,
  regionConfigKey,
  type KVReader,
  type LoadedConfig,
} from "./kv_keys.js";
export { ConfigLoader, CONFIG_TTL_MS, type ConfigLoaderOptions, type ConfigState } from "./config_loader.js";
export { configWarnings, type ConfigWarning } from "./warnings.js";
export { RELABEL_ACTIONS, RELABEL_DEFAULTS, isValidRelabelTarget, validateRelabelConfig } from "./relabel.js";
export { parseBytes } from "./scalars.js";
export type * from "./types.js";
