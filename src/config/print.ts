// Config -> YAML, the way Prometheus shows its loaded configuration
// (/api/v1/status/config): defaults filled in, secrets shown as `<secret>`, passwords
// inside URLs as `xxxxx`.
import { Document, isPair, isScalar, isSeq, visit } from "yaml";
import { formatDuration } from "../model/time.js";
import type {
  AlertmanagerConfig,
  Config,
  HTTPClientConfig,
  RelabelConfig,
  ServiceDiscoveryConfigs,
  TLSConfig,
} from "./types.js";

export const SECRET = "<secret>";

type Out = Record<string, unknown>;

/** Formats a byte size as Prometheus does (`10MiB`, `1KiB512B`). */
export function formatBytes(n: number): string {
  if (n === 0) return "0B";
  const units = ["EiB", "PiB", "TiB", "GiB", "MiB", "KiB", "B"];
  let rest = Math.abs(n);
  let out = n < 0 ? "-" : "";
  for (let i = 0; i < units.length; i++) {
    const size = 1024 ** (units.length - 1 - i);
    if (rest >= size) {
      const q = Math.floor(rest / size);
      out += `${q}${units[i]}`;
      rest -= q * size;
    }
  }
  return out;
}

function put(o: Out, key: string, v: unknown): void {
  if (v === undefined || v === "" || v === false || v === 0) return;
  if (Array.isArray(v) && v.length === 0) return;
  if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0) return;
  o[key] = v;
}

const secret = (v: string | undefined): string | undefined => (v === undefined || v === "" ? undefined : SECRET);
const dur = (ms: number): string => formatDuration(ms);

/**
 * A URL with the password of its user info replaced by `xxxxx`, as Go's
 * url.Redacted does for Prometheus' URL fields (`http://user:xxxxx@host/`); the rest
 * stays as written. The user info ends at the authority's last `@`, as in Go's parser.
 */
export function redactUrl(u: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)/.exec(u);
  if (m === null) return u;
  const authority = m[2]!;
  const at = authority.lastIndexOf("@");
  if (at < 0) return u;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(":");
  if (colon < 0) return u;
  return m[1]! + userinfo.slice(0, colon) + ":xxxxx" + u.slice(m[1]!.length + at);
}

const url = (v: string | undefined): string | undefined => (v === undefined ? undefined : redactUrl(v));

function tls(t: TLSConfig): Out {
  const o: Out = {};
  put(o, "ca", t.ca);
  put(o, "ca_file", t.caFile);
  put(o, "cert", t.cert);
  put(o, "cert_file", t.certFile);
  put(o, "key", secret(t.key));
  put(o, "key_file", t.keyFile);
  put(o, "server_name", t.serverName);
  put(o, "insecure_skip_verify", t.insecureSkipVerify);
  put(o, "min_version", t.minVersion);
  put(o, "max_version", t.maxVersion);
  return o;
}

function httpClient(o: Out, h: HTTPClientConfig): void {
  if (h.basicAuth) {
    const b: Out = { username: h.basicAuth.username };
    put(b, "username_file", h.basicAuth.usernameFile);
    put(b, "password", secret(h.basicAuth.password));
    put(b, "password_file", h.basicAuth.passwordFile);
    o.basic_auth = b;
  }
  if (h.authorization) {
    const a: Out = { type: h.authorization.type };
    put(a, "credentials", secret(h.authorization.credentials));
    put(a, "credentials_file", h.authorization.credentialsFile);
    o.authorization = a;
  }
  if (h.oauth2) {
    const a: Out = { client_id: h.oauth2.clientId };
    put(a, "client_secret", secret(h.oauth2.clientSecret));
    put(a, "client_secret_file", h.oauth2.clientSecretFile);
    put(a, "scopes", h.oauth2.scopes);
    a.token_url = redactUrl(h.oauth2.tokenUrl);
    put(a, "endpoint_params", h.oauth2.endpointParams);
    put(a, "tls_config", tls(h.oauth2.tlsConfig));
    put(a, "proxy_url", url(h.oauth2.proxyUrl));
    o.oauth2 = a;
  }
  put(o, "tls_config", tls(h.tlsConfig));
  put(o, "proxy_url", url(h.proxyUrl));
  put(o, "no_proxy", h.noProxy);
  put(o, "proxy_from_environment", h.proxyFromEnvironment);
  put(o, "proxy_connect_header", Object.fromEntries(Object.entries(h.proxyConnectHeader).map(([k, vs]) => [k, vs.map(() => SECRET)])));
  o.follow_redirects = h.followRedirects;
  o.enable_http2 = h.enableHttp2;
}

export function relabelToYaml(r: RelabelConfig): Out {
  const o: Out = {};
  put(o, "source_labels", r.sourceLabels);
  o.separator = r.separator;
  // keepequal/dropequal refuse an explicit regex, so the default one is left out.
  if (!((r.action === "keepequal" || r.action === "dropequal") && r.regex === "(.*)")) o.regex = r.regex;
  put(o, "modulus", r.modulus);
  put(o, "target_label", r.targetLabel);
  o.replacement = r.replacement;
  o.action = r.action;
  return o;
}

function sd(o: Out, s: ServiceDiscoveryConfigs): void {
  put(
    o,
    "dns_sd_configs",
    s.dnsSdConfigs.map((d) => ({ names: d.names, refresh_interval: dur(d.refreshInterval), type: d.type, port: d.port })),
  );
  put(o, "file_sd_configs", s.fileSdConfigs.map((f) => ({ files: f.files, refresh_interval: dur(f.refreshInterval) })));
  put(
    o,
    "http_sd_configs",
    s.httpSdConfigs.map((h) => {
      const x: Out = {};
      httpClient(x, h.httpClient);
      x.refresh_interval = dur(h.refreshInterval);
      x.url = redactUrl(h.url);
      return x;
    }),
  );
  put(
    o,
    "static_configs",
    s.staticConfigs.map((g) => {
      const x: Out = { targets: g.targets };
      put(x, "labels", g.labels);
      return x;
    }),
  );
}

function alertmanager(a: AlertmanagerConfig): Out {
  const o: Out = {};
  httpClient(o, a.httpClient);
  o.scheme = a.scheme;
  put(o, "path_prefix", a.pathPrefix);
  o.timeout = dur(a.timeout);
  o.api_version = a.apiVersion;
  put(o, "relabel_configs", a.relabelConfigs.map(relabelToYaml));
  put(o, "alert_relabel_configs", a.alertRelabelConfigs.map(relabelToYaml));
  sd(o, a);
  return o;
}

const maskValues = (m: Record<string, string>): Record<string, string> => Object.fromEntries(Object.keys(m).map((k) => [k, SECRET]));

/** The configuration as Prometheus-style YAML, with every default filled in and
 * every secret (passwords, credentials, tokens, client secrets, TLS keys, proxy
 * connect headers and remote write/read header values) shown as `<secret>`. */
export function configToYaml(config: Config): string {
  const g = config.global;
  const global: Out = {
    scrape_interval: dur(g.scrapeInterval),
    scrape_timeout: dur(g.scrapeTimeout),
    evaluation_interval: dur(g.evaluationInterval),
  };
  if (g.ruleQueryOffset !== 0) global.rule_query_offset = dur(g.ruleQueryOffset);
  put(global, "external_labels", g.externalLabels);
  put(global, "query_log_file", g.queryLogFile);
  if (g.bodySizeLimit !== 0) global.body_size_limit = formatBytes(g.bodySizeLimit);
  put(global, "sample_limit", g.sampleLimit);
  put(global, "target_limit", g.targetLimit);
  put(global, "label_limit", g.labelLimit);
  put(global, "label_name_length_limit", g.labelNameLengthLimit);
  put(global, "label_value_length_limit", g.labelValueLengthLimit);
  put(global, "keep_dropped_targets", g.keepDroppedTargets);
  put(global, "scrape_protocols", g.scrapeProtocols);
  put(global, "scrape_native_histograms", g.scrapeNativeHistograms);
  put(global, "always_scrape_classic_histograms", g.alwaysScrapeClassicHistograms);

  const out: Out = { global };
  const alerting: Out = {};
  put(alerting, "alert_relabel_configs", config.alerting.alertRelabelConfigs.map(relabelToYaml));
  put(alerting, "alertmanagers", config.alerting.alertmanagers.map(alertmanager));
  put(out, "alerting", alerting);
  put(out, "rule_files", config.ruleFiles);
  put(
    out,
    "scrape_configs",
    config.scrapeConfigs.map((sc) => {
      const o: Out = { job_name: sc.jobName };
      put(o, "honor_labels", sc.honorLabels);
      o.honor_timestamps = sc.honorTimestamps;
      put(o, "track_timestamps_staleness", sc.trackTimestampsStaleness);
      put(o, "params", sc.params);
      o.scrape_interval = dur(sc.scrapeInterval);
      o.scrape_timeout = dur(sc.scrapeTimeout);
      put(o, "scrape_protocols", sc.scrapeProtocols);
      put(o, "scrape_native_histograms", sc.scrapeNativeHistograms);
      put(o, "always_scrape_classic_histograms", sc.alwaysScrapeClassicHistograms);
      o.metrics_path = sc.metricsPath;
      o.scheme = sc.scheme;
      if (!sc.enableCompression) o.enable_compression = false;
      if (sc.bodySizeLimit !== 0) o.body_size_limit = formatBytes(sc.bodySizeLimit);
      put(o, "sample_limit", sc.sampleLimit);
      put(o, "target_limit", sc.targetLimit);
      put(o, "label_limit", sc.labelLimit);
      put(o, "label_name_length_limit", sc.labelNameLengthLimit);
      put(o, "label_value_length_limit", sc.labelValueLengthLimit);
      put(o, "keep_dropped_targets", sc.keepDroppedTargets);
      httpClient(o, sc.httpClient);
      put(o, "relabel_configs", sc.relabelConfigs.map(relabelToYaml));
      put(o, "metric_relabel_configs", sc.metricRelabelConfigs.map(relabelToYaml));
      sd(o, sc);
      return o;
    }),
  );
  const storage: Out = {};
  if (config.storage.tsdb) storage.tsdb = { out_of_order_time_window: dur(config.storage.tsdb.outOfOrderTimeWindow) };
  if (config.storage.exemplars) storage.exemplars = { max_exemplars: config.storage.exemplars.maxExemplars };
  put(out, "storage", storage);
  if (config.tracing) {
    const t = config.tracing;
    const o: Out = { client_type: t.clientType, endpoint: t.endpoint };
    put(o, "sampling_fraction", t.samplingFraction);
    put(o, "insecure", t.insecure);
    put(o, "tls_config", tls(t.tlsConfig));
    put(o, "headers", maskValues(t.headers));
    put(o, "compression", t.compression);
    if (t.timeout !== 0) o.timeout = dur(t.timeout);
    out.tracing = o;
  }
  put(
    out,
    "remote_write",
    config.remoteWrite.map((rw) => {
      const o: Out = { url: redactUrl(rw.url), remote_timeout: dur(rw.remoteTimeout) };
      put(o, "headers", maskValues(rw.headers));
      put(o, "write_relabel_configs", rw.writeRelabelConfigs.map(relabelToYaml));
      put(o, "name", rw.name);
      put(o, "send_exemplars", rw.sendExemplars);
      put(o, "send_native_histograms", rw.sendNativeHistograms);
      httpClient(o, rw.httpClient);
      const q = rw.queueConfig;
      const queue: Out = {
        capacity: q.capacity,
        max_shards: q.maxShards,
        min_shards: q.minShards,
        max_samples_per_send: q.maxSamplesPerSend,
        batch_send_deadline: dur(q.batchSendDeadline),
        min_backoff: dur(q.minBackoff),
        max_backoff: dur(q.maxBackoff),
      };
      put(queue, "retry_on_http_429", q.retryOnHttp429);
      if (q.sampleAgeLimit !== 0) queue.sample_age_limit = dur(q.sampleAgeLimit);
      o.queue_config = queue;
      const m = rw.metadataConfig;
      o.metadata_config = { send: m.send, send_interval: dur(m.sendInterval), max_samples_per_send: m.maxSamplesPerSend };
      return o;
    }),
  );
  put(
    out,
    "remote_read",
    config.remoteRead.map((rr) => {
      const o: Out = { url: redactUrl(rr.url), remote_timeout: dur(rr.remoteTimeout) };
      put(o, "headers", maskValues(rr.headers));
      put(o, "read_recent", rr.readRecent);
      put(o, "name", rr.name);
      httpClient(o, rr.httpClient);
      put(o, "required_matchers", rr.requiredMatchers);
      o.filter_external_labels = rr.filterExternalLabels;
      return o;
    }),
  );
  const doc = new Document(out, { version: "1.1" });
  // Prometheus writes source_labels in flow style: `source_labels: [a, b]`.
  visit(doc, {
    Pair(_k, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === "source_labels" && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, flowCollectionPadding: false });
}
