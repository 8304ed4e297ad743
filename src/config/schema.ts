// zod schemas for the whole prometheus.yml (YAML tree in, typed sections out).
// Defaults local to a section are applied here; the ones that flow from `global`
// into each scrape config are applied by load.ts once the whole file is read.
import { z } from "zod";
import { checkStaticTargets, resolveSD, sdShape } from "./discovery.js";
import { checkURL, httpClientShape, resolveHttpClient, tlsConfigSchema } from "./http_client.js";
import { labelSet } from "./names.js";
import { relabelList } from "./relabel.js";
import { bool, bytes, duration, float, int, list, notNull, obj, str, strMap, typeMismatch, uint, valueIssue } from "./scalars.js";
import { isYamlMap } from "./yaml_tree.js";
import type {
  AlertingConfig,
  AlertmanagerConfig,
  GlobalConfig,
  MetadataConfig,
  QueueConfig,
  RemoteReadConfig,
  RemoteWriteConfig,
  ScrapeConfig,
  StorageConfig,
  TracingConfig,
} from "./types.js";

export const GLOBAL_DEFAULTS = { scrapeInterval: 60_000, scrapeTimeout: 10_000, evaluationInterval: 60_000 } as const;
export const SCRAPE_DEFAULTS = { metricsPath: "/metrics", scheme: "http", honorLabels: false, honorTimestamps: true } as const;
export const ALERTMANAGER_DEFAULTS = { scheme: "http", timeout: 10_000, apiVersion: "v2" } as const;
/** Prometheus 2.42's remote write defaults (the reference version). */
export const QUEUE_DEFAULTS: QueueConfig = {
  capacity: 2500,
  maxShards: 200,
  minShards: 1,
  maxSamplesPerSend: 500,
  batchSendDeadline: 5000,
  minBackoff: 30,
  maxBackoff: 5000,
  retryOnHttp429: false,
  sampleAgeLimit: 0,
};
export const METADATA_DEFAULTS: MetadataConfig = { send: true, sendInterval: 60_000, maxSamplesPerSend: 500 };
export const REMOTE_WRITE_TIMEOUT = 30_000;
export const REMOTE_READ_TIMEOUT = 60_000;

export const SCRAPE_PROTOCOLS = ["OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0"];

function checkScrapeProtocols(ps: string[]): string | undefined {
  if (ps.length === 0) return "scrape_protocols cannot be empty";
  const seen = new Set<string>();
  for (const p of ps) {
    if (seen.has(p.toLowerCase())) return `duplicated protocol in scrape_protocols, got [${ps.join(" ")}]`;
    if (!SCRAPE_PROTOCOLS.includes(p)) return `scrape_protocols: unknown scrape protocol ${p}, supported: [${SCRAPE_PROTOCOLS.join(" ")}]`;
    seen.add(p.toLowerCase());
  }
  return undefined;
}

const stringLists = () =>
  z
    .custom<any>((v) => isYamlMap(v), { error: (iss) => typeMismatch(iss.input, "url.Values") })
    .pipe(z.record(z.string(), list(str(), "[]string")));

/** Fields of newer Prometheus versions that edgeprom accepts and ignores. */
export const IGNORED_SCRAPE_FIELDS = [
  "convert_classic_histograms_to_nhcb",
  "native_histogram_bucket_limit",
  "native_histogram_min_bucket_factor",
  "metric_name_validation_scheme",
  "metric_name_escaping_scheme",
  "fallback_scrape_protocol",
  "scrape_failure_log_file",
  "extra_scrape_metrics",
] as const;

export const globalSchema = obj("config.GlobalConfig", {
  scrape_interval: duration().optional(),
  scrape_timeout: duration().optional(),
  evaluation_interval: duration().optional(),
  rule_query_offset: duration().optional(),
  external_labels: labelSet("labels.Labels").optional(),
  query_log_file: str().optional(),
  body_size_limit: bytes().optional(),
  sample_limit: uint().optional(),
  target_limit: uint().optional(),
  label_limit: uint().optional(),
  label_name_length_limit: uint().optional(),
  label_value_length_limit: uint().optional(),
  keep_dropped_targets: uint().optional(),
  scrape_protocols: list(str(), "[]config.ScrapeProtocol").optional(),
  scrape_failure_log_file: str().optional(),
  metric_name_validation_scheme: str().optional(),
  metric_name_escaping_scheme: str().optional(),
  scrape_native_histograms: bool().optional(),
  always_scrape_classic_histograms: bool().optional(),
  convert_classic_histograms_to_nhcb: bool().optional(),
  extra_scrape_metrics: bool().optional(),
}).transform((raw, ctx): GlobalConfig => {
  const scrapeInterval = raw.scrape_interval || GLOBAL_DEFAULTS.scrapeInterval;
  if ((raw.scrape_timeout ?? 0) > scrapeInterval) {
    valueIssue(ctx, "global scrape timeout greater than scrape interval", ["scrape_timeout"]);
    return z.NEVER;
  }
  const g: GlobalConfig = {
    scrapeInterval,
    scrapeTimeout: raw.scrape_timeout || Math.min(GLOBAL_DEFAULTS.scrapeTimeout, scrapeInterval),
    evaluationInterval: raw.evaluation_interval || GLOBAL_DEFAULTS.evaluationInterval,
    ruleQueryOffset: raw.rule_query_offset ?? 0,
    externalLabels: raw.external_labels ?? {},
    bodySizeLimit: raw.body_size_limit ?? 0,
    sampleLimit: raw.sample_limit ?? 0,
    targetLimit: raw.target_limit ?? 0,
    labelLimit: raw.label_limit ?? 0,
    labelNameLengthLimit: raw.label_name_length_limit ?? 0,
    labelValueLengthLimit: raw.label_value_length_limit ?? 0,
    keepDroppedTargets: raw.keep_dropped_targets ?? 0,
  };
  if ((raw.query_log_file ?? "") !== "") g.queryLogFile = raw.query_log_file;
  if (raw.scrape_native_histograms !== undefined) g.scrapeNativeHistograms = raw.scrape_native_histograms;
  if (raw.always_scrape_classic_histograms !== undefined) g.alwaysScrapeClassicHistograms = raw.always_scrape_classic_histograms;
  if (raw.scrape_protocols !== undefined) {
    const err = checkScrapeProtocols(raw.scrape_protocols);
    if (err !== undefined) {
      valueIssue(ctx, `${err} for global config`, ["scrape_protocols"]);
      return z.NEVER;
    }
    g.scrapeProtocols = raw.scrape_protocols;
  }
  return g;
});

/** The global defaults, for a file without a `global` section. */
export function defaultGlobal(): GlobalConfig {
  const r = globalSchema.safeParse({});
  if (!r.success) throw new Error("default global config does not validate");
  return r.data;
}

function scheme(ctx: z.core.$RefinementCtx<unknown>, s: string | undefined, where: string): "http" | "https" | undefined {
  const v = s === undefined || s === "" ? "http" : s;
  if (v === "http" || v === "https") return v;
  valueIssue(ctx, `unsupported scheme "${v}" ${where}: edgeprom speaks http and https`, ["scheme"]);
  return undefined;
}

export const scrapeConfigSchema = obj("config.ScrapeConfig", {
  job_name: str().optional(),
  honor_labels: bool().optional(),
  honor_timestamps: bool().optional(),
  track_timestamps_staleness: bool().optional(),
  params: stringLists().optional(),
  scrape_interval: duration().optional(),
  scrape_timeout: duration().optional(),
  scrape_protocols: list(str(), "[]config.ScrapeProtocol").optional(),
  metrics_path: str().optional(),
  scheme: str().optional(),
  enable_compression: bool().optional(),
  body_size_limit: bytes().optional(),
  sample_limit: uint().optional(),
  target_limit: uint().optional(),
  label_limit: uint().optional(),
  label_name_length_limit: uint().optional(),
  label_value_length_limit: uint().optional(),
  keep_dropped_targets: uint().optional(),
  scrape_classic_histograms: bool().optional(),
  always_scrape_classic_histograms: bool().optional(),
  convert_classic_histograms_to_nhcb: bool().optional(),
  scrape_native_histograms: bool().optional(),
  native_histogram_bucket_limit: uint().optional(),
  native_histogram_min_bucket_factor: float().optional(),
  metric_name_validation_scheme: str().optional(),
  metric_name_escaping_scheme: str().optional(),
  fallback_scrape_protocol: str().optional(),
  scrape_failure_log_file: str().optional(),
  extra_scrape_metrics: bool().optional(),
  ...httpClientShape,
  ...sdShape,
  relabel_configs: relabelList("empty or null target relabeling rule in scrape config").optional(),
  metric_relabel_configs: relabelList("empty or null metric relabeling rule in scrape config").optional(),
}).transform((raw, ctx): ScrapeConfig => {
  const jobName = raw.job_name ?? "";
  if (jobName === "") {
    valueIssue(ctx, "job_name is empty");
    return z.NEVER;
  }
  const http = resolveHttpClient(raw);
  if (typeof http === "string") {
    valueIssue(ctx, http);
    return z.NEVER;
  }
  const sd = resolveSD(raw);
  const relabelConfigs = raw.relabel_configs ?? [];
  if (relabelConfigs.length === 0) {
    const bad = checkStaticTargets(sd);
    if (bad !== undefined) {
      valueIssue(ctx, bad.message, bad.path);
      return z.NEVER;
    }
  }
  const sch = scheme(ctx, raw.scheme, `for scrape config with job name "${jobName}"`);
  if (sch === undefined) return z.NEVER;
  const sc: ScrapeConfig = {
    jobName,
    honorLabels: raw.honor_labels ?? SCRAPE_DEFAULTS.honorLabels,
    honorTimestamps: raw.honor_timestamps ?? SCRAPE_DEFAULTS.honorTimestamps,
    trackTimestampsStaleness: raw.track_timestamps_staleness ?? false,
    params: raw.params ?? {},
    scrapeInterval: raw.scrape_interval ?? 0,
    scrapeTimeout: raw.scrape_timeout ?? 0,
    metricsPath: raw.metrics_path || SCRAPE_DEFAULTS.metricsPath,
    scheme: sch,
    enableCompression: raw.enable_compression ?? true,
    bodySizeLimit: raw.body_size_limit ?? 0,
    sampleLimit: raw.sample_limit ?? 0,
    targetLimit: raw.target_limit ?? 0,
    labelLimit: raw.label_limit ?? 0,
    labelNameLengthLimit: raw.label_name_length_limit ?? 0,
    labelValueLengthLimit: raw.label_value_length_limit ?? 0,
    keepDroppedTargets: raw.keep_dropped_targets ?? 0,
    httpClient: http,
    ...sd,
    relabelConfigs,
    metricRelabelConfigs: raw.metric_relabel_configs ?? [],
  };
  if (raw.scrape_native_histograms !== undefined) sc.scrapeNativeHistograms = raw.scrape_native_histograms;
  // 2.x's scrape_classic_histograms is 3.x's always_scrape_classic_histograms.
  const classic = raw.always_scrape_classic_histograms ?? raw.scrape_classic_histograms;
  if (classic !== undefined) sc.alwaysScrapeClassicHistograms = classic;
  if (raw.scrape_protocols !== undefined) {
    const err = checkScrapeProtocols(raw.scrape_protocols);
    if (err !== undefined) {
      valueIssue(ctx, `${err} for scrape config with job name "${jobName}"`, ["scrape_protocols"]);
      return z.NEVER;
    }
    sc.scrapeProtocols = raw.scrape_protocols;
  }
  return sc;
});

const alertmanagerSchema = obj("config.AlertmanagerConfig", {
  ...httpClientShape,
  ...sdShape,
  sigv4: z.unknown().optional(),
  scheme: str().optional(),
  path_prefix: str().optional(),
  timeout: duration().optional(),
  api_version: str("config.AlertmanagerAPIVersion").optional(),
  relabel_configs: relabelList("empty or null Alertmanager target relabeling rule").optional(),
  alert_relabel_configs: relabelList("empty or null Alertmanager alert relabeling rule").optional(),
}).transform((raw, ctx): AlertmanagerConfig => {
  const apiVersion = raw.api_version ?? ALERTMANAGER_DEFAULTS.apiVersion;
  if (apiVersion !== "v2") {
    valueIssue(ctx, `expected Alertmanager api version to be one of [v2] but got ${apiVersion}`, ["api_version"]);
    return z.NEVER;
  }
  const http = resolveHttpClient(raw);
  if (typeof http === "string") {
    valueIssue(ctx, http);
    return z.NEVER;
  }
  if (raw.sigv4 !== undefined && (http.basicAuth !== undefined || http.authorization !== undefined || http.oauth2 !== undefined)) {
    valueIssue(ctx, "at most one of basic_auth, authorization, oauth2, & sigv4 must be configured");
    return z.NEVER;
  }
  const sd = resolveSD(raw);
  const relabelConfigs = raw.relabel_configs ?? [];
  if (relabelConfigs.length === 0) {
    const bad = checkStaticTargets(sd);
    if (bad !== undefined) {
      valueIssue(ctx, bad.message, bad.path);
      return z.NEVER;
    }
  }
  const sch = scheme(ctx, raw.scheme, "for Alertmanager");
  if (sch === undefined) return z.NEVER;
  return {
    scheme: sch,
    pathPrefix: raw.path_prefix ?? "",
    timeout: raw.timeout || ALERTMANAGER_DEFAULTS.timeout,
    apiVersion: "v2",
    httpClient: http,
    ...sd,
    relabelConfigs,
    alertRelabelConfigs: raw.alert_relabel_configs ?? [],
  };
});

export const alertingSchema = obj("config.AlertingConfig", {
  alert_relabel_configs: relabelList("empty or null alert relabeling rule").optional(),
  alertmanagers: list(notNull("empty or null alertmanager config section").pipe(alertmanagerSchema), "config.AlertmanagerConfigs").optional(),
}).transform((raw): AlertingConfig => ({ alertRelabelConfigs: raw.alert_relabel_configs ?? [], alertmanagers: raw.alertmanagers ?? [] }));

const RESERVED_HEADERS = new Set([
  "host",
  "content-encoding",
  "content-length",
  "content-type",
  "user-agent",
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "www-authenticate",
  "accept-encoding",
  "x-prometheus-remote-write-version",
  "x-prometheus-remote-read-version",
  "x-amz-date",
  "x-amz-security-token",
  "x-amz-content-sha256",
]);

function checkHeaders(headers: Record<string, string>): { message: string; header: string } | undefined {
  for (const h of Object.keys(headers)) {
    if (h.toLowerCase() === "authorization") {
      return { header: h, message: "authorization header must be changed via the basic_auth, authorization, oauth2, or sigv4 parameter" };
    }
    if (RESERVED_HEADERS.has(h.toLowerCase())) return { header: h, message: `${h} is a reserved header. It must not be changed` };
  }
  return undefined;
}

function checkEndpoint(ctx: z.core.$RefinementCtx<unknown>, url: string | undefined, section: string): string | undefined {
  if (url === undefined || url === "") {
    valueIssue(ctx, `url for ${section} is empty`);
    return undefined;
  }
  const err = checkURL(url);
  if (err !== undefined) {
    valueIssue(ctx, err, ["url"]);
    return undefined;
  }
  // Other schemes are valid to Prometheus (`localhost:9090` parses as scheme
  // "localhost") and fail only when used; `check config` warns (config/warnings.ts).
  return url;
}

const queueSchema = obj("config.QueueConfig", {
  capacity: int().optional(),
  max_shards: int().optional(),
  min_shards: int().optional(),
  max_samples_per_send: int().optional(),
  batch_send_deadline: duration().optional(),
  min_backoff: duration().optional(),
  max_backoff: duration().optional(),
  retry_on_http_429: bool().optional(),
  sample_age_limit: duration().optional(),
}).transform((raw): QueueConfig => ({
  capacity: raw.capacity || QUEUE_DEFAULTS.capacity,
  maxShards: raw.max_shards || QUEUE_DEFAULTS.maxShards,
  minShards: raw.min_shards || QUEUE_DEFAULTS.minShards,
  maxSamplesPerSend: raw.max_samples_per_send || QUEUE_DEFAULTS.maxSamplesPerSend,
  batchSendDeadline: raw.batch_send_deadline || QUEUE_DEFAULTS.batchSendDeadline,
  minBackoff: raw.min_backoff || QUEUE_DEFAULTS.minBackoff,
  maxBackoff: raw.max_backoff || QUEUE_DEFAULTS.maxBackoff,
  retryOnHttp429: raw.retry_on_http_429 ?? false,
  sampleAgeLimit: raw.sample_age_limit ?? 0,
}));

const metadataSchema = obj("config.MetadataConfig", {
  send: bool().optional(),
  send_interval: duration().optional(),
  max_samples_per_send: int().optional(),
}).transform((raw): MetadataConfig => ({
  send: raw.send ?? METADATA_DEFAULTS.send,
  sendInterval: raw.send_interval ?? METADATA_DEFAULTS.sendInterval,
  maxSamplesPerSend: raw.max_samples_per_send || METADATA_DEFAULTS.maxSamplesPerSend,
}));

export const remoteWriteSchema = obj("config.RemoteWriteConfig", {
  url: str("config.URL").optional(),
  remote_timeout: duration().optional(),
  headers: strMap("map[string]string").optional(),
  write_relabel_configs: relabelList("empty or null relabeling rule in remote write config").optional(),
  name: str().optional(),
  send_exemplars: bool().optional(),
  send_native_histograms: bool().optional(),
  round_robin_dns: bool().optional(),
  protobuf_message: str().optional(),
  ...httpClientShape,
  queue_config: queueSchema.optional(),
  metadata_config: metadataSchema.optional(),
  sigv4: z.unknown().optional(),
  azuread: z.unknown().optional(),
  google_iam: z.unknown().optional(),
}).transform((raw, ctx): RemoteWriteConfig => {
  const url = checkEndpoint(ctx, raw.url, "remote_write");
  if (url === undefined) return z.NEVER;
  const headers = raw.headers ?? {};
  const bad = checkHeaders(headers);
  if (bad !== undefined) {
    valueIssue(ctx, bad.message, ["headers", bad.header]);
    return z.NEVER;
  }
  const http = resolveHttpClient(raw, { enableHttp2: true });
  if (typeof http === "string") {
    valueIssue(ctx, http);
    return z.NEVER;
  }
  const auths = [
    http.basicAuth && "basic_auth",
    http.authorization && "authorization",
    http.oauth2 && "oauth2",
    raw.sigv4 !== undefined && "sigv4",
    raw.azuread !== undefined && "azuread",
    raw.google_iam !== undefined && "google_iam",
  ].filter(Boolean);
  if (auths.length > 1) {
    valueIssue(ctx, "at most one of basic_auth, authorization, oauth2, & sigv4 must be configured");
    return z.NEVER;
  }
  const rw: RemoteWriteConfig = {
    url,
    remoteTimeout: raw.remote_timeout || REMOTE_WRITE_TIMEOUT,
    headers,
    writeRelabelConfigs: raw.write_relabel_configs ?? [],
    sendExemplars: raw.send_exemplars ?? false,
    sendNativeHistograms: raw.send_native_histograms ?? false,
    httpClient: http,
    queueConfig: raw.queue_config ?? { ...QUEUE_DEFAULTS },
    metadataConfig: raw.metadata_config ?? { ...METADATA_DEFAULTS },
  };
  if ((raw.name ?? "") !== "") rw.name = raw.name;
  return rw;
});

export const remoteReadSchema = obj("config.RemoteReadConfig", {
  url: str("config.URL").optional(),
  remote_timeout: duration().optional(),
  chunked_read_limit: uint().optional(),
  headers: strMap("map[string]string").optional(),
  read_recent: bool().optional(),
  name: str().optional(),
  required_matchers: labelSet().optional(),
  filter_external_labels: bool().optional(),
  ...httpClientShape,
}).transform((raw, ctx): RemoteReadConfig => {
  const url = checkEndpoint(ctx, raw.url, "remote_read");
  if (url === undefined) return z.NEVER;
  const headers = raw.headers ?? {};
  const bad = checkHeaders(headers);
  if (bad !== undefined) {
    valueIssue(ctx, bad.message, ["headers", bad.header]);
    return z.NEVER;
  }
  const http = resolveHttpClient(raw);
  if (typeof http === "string") {
    valueIssue(ctx, http);
    return z.NEVER;
  }
  const rr: RemoteReadConfig = {
    url,
    remoteTimeout: raw.remote_timeout || REMOTE_READ_TIMEOUT,
    headers,
    readRecent: raw.read_recent ?? false,
    requiredMatchers: raw.required_matchers ?? {},
    filterExternalLabels: raw.filter_external_labels ?? true,
    httpClient: http,
  };
  if ((raw.name ?? "") !== "") rr.name = raw.name;
  return rr;
});

export const storageSchema = obj("config.StorageConfig", {
  tsdb: obj("config.TSDBConfig", { out_of_order_time_window: duration().optional() }).optional(),
  exemplars: obj("config.ExemplarsConfig", { max_exemplars: int().optional() }).optional(),
}).transform((raw): StorageConfig => {
  const s: StorageConfig = {};
  if (raw.tsdb !== undefined) s.tsdb = { outOfOrderTimeWindow: raw.tsdb.out_of_order_time_window ?? 0 };
  if (raw.exemplars !== undefined) s.exemplars = { maxExemplars: raw.exemplars.max_exemplars ?? 100000 };
  return s;
});

export const tracingSchema = obj("config.TracingConfig", {
  client_type: str().optional(),
  endpoint: str().optional(),
  sampling_fraction: float().optional(),
  insecure: bool().optional(),
  tls_config: tlsConfigSchema.optional(),
  headers: strMap("map[string]string").optional(),
  compression: str().optional(),
  timeout: duration().optional(),
}).transform((raw, ctx): TracingConfig => {
  const clientType = raw.client_type ?? "grpc";
  if (clientType !== "http" && clientType !== "grpc") {
    valueIssue(ctx, `expected tracing client type to be to be http or grpc, but got ${clientType}`, ["client_type"]);
    return z.NEVER;
  }
  if ((raw.endpoint ?? "") === "") {
    valueIssue(ctx, "tracing endpoint must be set");
    return z.NEVER;
  }
  if (raw.compression !== undefined && raw.compression !== "" && raw.compression !== "gzip") {
    valueIssue(ctx, `invalid compression type ${raw.compression} provided, valid options: gzip`, ["compression"]);
    return z.NEVER;
  }
  const t: TracingConfig = {
    clientType,
    endpoint: raw.endpoint!,
    samplingFraction: raw.sampling_fraction ?? 0,
    insecure: raw.insecure ?? false,
    tlsConfig: { insecureSkipVerify: raw.tls_config?.insecure_skip_verify ?? false },
    headers: raw.headers ?? {},
    timeout: raw.timeout ?? 0,
  };
  if (raw.compression) t.compression = raw.compression;
  return t;
});

const unsupportedTop = (field: string, why: string) =>
  z
    .unknown()
    .superRefine((_v, ctx) => valueIssue(ctx, `${field} is not supported by edgeprom: ${why}`))
    .optional();

/** The whole file, before the global defaults flow into the scrape configs. */
export const configFileSchema = obj("config.Config", {
  global: globalSchema.optional(),
  runtime: z.unknown().optional(),
  alerting: alertingSchema.optional(),
  rule_files: list(str(), "[]string").optional(),
  scrape_config_files: unsupportedTop("scrape_config_files", "put the scrape configs in prometheus.yml"),
  scrape_configs: list(notNull("empty or null scrape config section").pipe(scrapeConfigSchema), "[]*config.ScrapeConfig").optional(),
  storage: storageSchema.optional(),
  tracing: tracingSchema.optional(),
  remote_write: list(notNull("empty or null remote write config section").pipe(remoteWriteSchema), "[]*config.RemoteWriteConfig").optional(),
  remote_read: list(notNull("empty or null remote read config section").pipe(remoteReadSchema), "[]*config.RemoteReadConfig").optional(),
  otlp: z.unknown().optional(),
});

export type ConfigFile = z.output<typeof configFileSchema>;
