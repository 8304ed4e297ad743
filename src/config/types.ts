// The loaded configuration, as the rest of edgeprom sees it: Prometheus'
// prometheus.yml with every default applied, names in camelCase (snake_case in
// YAML), every duration in integer milliseconds and every byte size in bytes.
// Secrets (passwords, credentials, tokens) are plain strings here; print.ts masks
// them when the configuration is shown.

// relabel/ owns the relabel configuration's shape; config/ parses and validates it.
export type { RelabelAction, RelabelConfig } from "../relabel/relabel_config.js";
import type { RelabelConfig } from "../relabel/relabel_config.js";

export interface BasicAuth {
  username: string;
  usernameFile?: string;
  /** Secret. */
  password?: string;
  passwordFile?: string;
}

export interface Authorization {
  /** "Bearer" unless configured otherwise; never "Basic". */
  type: string;
  /** Secret. */
  credentials?: string;
  credentialsFile?: string;
}

export interface TLSConfig {
  ca?: string;
  caFile?: string;
  cert?: string;
  certFile?: string;
  /** Secret. */
  key?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  minVersion?: string;
  maxVersion?: string;
}

export interface OAuth2Config {
  clientId: string;
  /** Secret. */
  clientSecret?: string;
  clientSecretFile?: string;
  scopes: string[];
  tokenUrl: string;
  endpointParams: Record<string, string>;
  tlsConfig: TLSConfig;
  proxyUrl?: string;
}

/** The HTTP client settings Prometheus inlines into scrape configs, HTTP SD,
 * Alertmanager, remote write and remote read sections. `bearer_token` and
 * `bearer_token_file` are folded into `authorization` (type Bearer), as Prometheus does. */
export interface HTTPClientConfig {
  basicAuth?: BasicAuth;
  authorization?: Authorization;
  oauth2?: OAuth2Config;
  tlsConfig: TLSConfig;
  proxyUrl?: string;
  noProxy?: string;
  proxyFromEnvironment: boolean;
  /** Header name -> values; the values are secrets. */
  proxyConnectHeader: Record<string, string[]>;
  followRedirects: boolean;
  enableHttp2: boolean;
}

export interface StaticConfig {
  targets: string[];
  labels: Record<string, string>;
}

/** file_sd_configs: in edgeprom each file is a KV key (see kv_keys.ts). */
export interface FileSDConfig {
  files: string[];
  refreshInterval: number;
}

export interface HTTPSDConfig {
  url: string;
  refreshInterval: number;
  httpClient: HTTPClientConfig;
}

export type DNSRecordType = "SRV" | "A" | "AAAA" | "MX" | "NS";

export interface DNSSDConfig {
  names: string[];
  refreshInterval: number;
  type: DNSRecordType;
  /** 0 for SRV (the record carries the port). */
  port: number;
}

/** The service discovery sections edgeprom runs. */
export interface ServiceDiscoveryConfigs {
  staticConfigs: StaticConfig[];
  fileSdConfigs: FileSDConfig[];
  httpSdConfigs: HTTPSDConfig[];
  dnsSdConfigs: DNSSDConfig[];
}

export interface GlobalConfig {
  scrapeInterval: number;
  scrapeTimeout: number;
  evaluationInterval: number;
  ruleQueryOffset: number;
  externalLabels: Record<string, string>;
  queryLogFile?: string;
  /** 0 means no limit, for this and every limit below. */
  bodySizeLimit: number;
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  keepDroppedTargets: number;
  scrapeProtocols?: string[];
  scrapeNativeHistograms?: boolean;
  alwaysScrapeClassicHistograms?: boolean;
}

export interface ScrapeConfig extends ServiceDiscoveryConfigs {
  jobName: string;
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  params: Record<string, string[]>;
  /** From global.scrape_interval when not set. */
  scrapeInterval: number;
  /** From global.scrape_timeout (at most scrapeInterval) when not set. */
  scrapeTimeout: number;
  scrapeProtocols?: string[];
  /** Ingest native histograms (protobuf exposition); from global, default false. */
  scrapeNativeHistograms?: boolean;
  /** Also ingest the classic series of histograms that have native buckets. */
  alwaysScrapeClassicHistograms?: boolean;
  metricsPath: string;
  scheme: "http" | "https";
  enableCompression: boolean;
  /** Limits come from global when not set (0 = no limit). */
  bodySizeLimit: number;
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  keepDroppedTargets: number;
  httpClient: HTTPClientConfig;
  relabelConfigs: RelabelConfig[];
  metricRelabelConfigs: RelabelConfig[];
}

export interface AlertmanagerConfig extends ServiceDiscoveryConfigs {
  scheme: "http" | "https";
  pathPrefix: string;
  timeout: number;
  apiVersion: "v2";
  httpClient: HTTPClientConfig;
  relabelConfigs: RelabelConfig[];
  alertRelabelConfigs: RelabelConfig[];
}

export interface AlertingConfig {
  alertRelabelConfigs: RelabelConfig[];
  alertmanagers: AlertmanagerConfig[];
}

export interface QueueConfig {
  capacity: number;
  maxShards: number;
  minShards: number;
  maxSamplesPerSend: number;
  batchSendDeadline: number;
  minBackoff: number;
  maxBackoff: number;
  retryOnHttp429: boolean;
  sampleAgeLimit: number;
}

export interface MetadataConfig {
  send: boolean;
  sendInterval: number;
  maxSamplesPerSend: number;
}

export interface RemoteWriteConfig {
  url: string;
  remoteTimeout: number;
  headers: Record<string, string>;
  writeRelabelConfigs: RelabelConfig[];
  name?: string;
  sendExemplars: boolean;
  sendNativeHistograms: boolean;
  httpClient: HTTPClientConfig;
  queueConfig: QueueConfig;
  metadataConfig: MetadataConfig;
}

export interface RemoteReadConfig {
  url: string;
  remoteTimeout: number;
  headers: Record<string, string>;
  readRecent: boolean;
  name?: string;
  requiredMatchers: Record<string, string>;
  filterExternalLabels: boolean;
  httpClient: HTTPClientConfig;
}

export interface StorageConfig {
  tsdb?: { outOfOrderTimeWindow: number };
  exemplars?: { maxExemplars: number };
}

export interface TracingConfig {
  clientType: "http" | "grpc";
  endpoint: string;
  samplingFraction: number;
  insecure: boolean;
  tlsConfig: TLSConfig;
  headers: Record<string, string>;
  compression?: string;
  timeout: number;
}

/** A field that was accepted (Prometheus knows it) but edgeprom does not act on. */
export interface IgnoredField {
  path: string;
  reason: string;
}

export interface Config {
  global: GlobalConfig;
  alerting: AlertingConfig;
  /** Paths as written; in edgeprom each one is a KV key (glob patterns match keys). */
  ruleFiles: string[];
  scrapeConfigs: ScrapeConfig[];
  remoteWrite: RemoteWriteConfig[];
  remoteRead: RemoteReadConfig[];
  storage: StorageConfig;
  tracing?: TracingConfig;
  /** Accepted for compatibility with Prometheus, but without effect in edgeprom. */
  ignored: IgnoredField[];
}
