export { ADDRESS_LABEL, parseTargetGroupsJSON, parseTargetGroupsYAML, targetGroupFromRaw, TargetGroupError, type RawTargetGroup, type TargetGroup } from "./target_group.js";
export { errorMessage, PartialRefreshError, type Discoverer, type FetchFn, type ListFn, type ReadFn } from "./discoverer.js";
export { StaticDiscoverer, type StaticConfig } from "./static.js";
export { FILE_SD_DEFAULT_REFRESH_MS, FILEPATH_LABEL, FileDiscoverer, FileSDConfigError, globToRegExp, validateFileSDConfig, type FileSDConfig, type FileSDIO } from "./file.js";
export { DEFAULT_USER_AGENT, HTTP_SD_DEFAULT_REFRESH_MS, HTTPDiscoverer, HTTPSDConfigError, URL_LABEL, validateHTTPSDConfig, type HTTPSDConfig } from "./http.js";
export {
  DEFAULT_DOH_ENDPOINT,
  DNS_MX_RECORD_TARGET_LABEL,
  DNS_NAME_LABEL,
  DNS_NS_RECORD_TARGET_LABEL,
  DNS_SD_DEFAULT_REFRESH_MS,
  DNS_SRV_RECORD_PORT_LABEL,
  DNS_SRV_RECORD_TARGET_LABEL,
  DNSDiscoverer,
  DNSSDConfigError,
  dohLookup,
  formatIP,
  targetFromAnswer,
  validateDNSSDConfig,
  type DNSRecordType,
  type DNSSDConfig,
  type DNSSDOptions,
  type DoHAnswer,
} from "./dns.js";
export {
  discover,
  DiscoveryConfigError,
  DiscoveryManager,
  providersFor,
  type DiscoveryIO,
  type DiscoverySnapshot,
  type Provider,
  type ProviderStatus,
  type ScrapeDiscoveryConfig,
} from "./manager.js";
