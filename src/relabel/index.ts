export {
  DEFAULT_ACTION,
  DEFAULT_REGEX,
  DEFAULT_REPLACEMENT,
  DEFAULT_SEPARATOR,
  RELABEL_ACTIONS,
  relabelConfig,
  type RelabelAction,
  type RelabelConfig,
} from "./relabel_config.js";
export {
  compileRelabelConfig,
  compileRelabelConfigs,
  isValidLegacyNameTemplate,
  relabel,
  relabelBuilder,
  RelabelConfigError,
  validateRelabelConfig,
  type CompiledRelabelConfig,
  type CompileOptions,
  type NameValidation,
} from "./relabel.js";
export { RelabelBuilder } from "./builder.js";
export { hashMod, md5, md5Hex } from "./md5.js";
export { goToLower, goToUpper } from "./gocase.js";
export { expandTemplate, parseTemplate, type Template, type TemplatePart } from "./template.js";
export {
  ADDRESS_LABEL,
  checkTargetAddress,
  formatModelDuration,
  INSTANCE_LABEL,
  JOB_LABEL,
  joinHostPort,
  mergeTargetLabels,
  META_LABEL_PREFIX,
  METRICS_PATH_LABEL,
  PARAM_LABEL_PREFIX,
  parseModelDuration,
  populateTargetLabels,
  publicLabels,
  RESERVED_LABEL_PREFIX,
  SCHEME_LABEL,
  SCRAPE_INTERVAL_LABEL,
  SCRAPE_TIMEOUT_LABEL,
  scrapeUrl,
  splitHostPort,
  targetsFromGroup,
  type PopulatedTarget,
  type PopulateOptions,
  type TargetFromGroup,
  type TargetScrapeConfig,
} from "./target.js";
