// Fields Prometheus knows that edgeprom accepts but cannot act on in a Worker:
// listed so `check config` can warn about them instead of silently dropping them.
import { formatPath } from "./errors.js";
import { IGNORED_SCRAPE_FIELDS } from "./schema.js";
import type { IgnoredField } from "./types.js";
import { isYamlMap, type YamlValue } from "./yaml_tree.js";

const TLS_REASON = "Workers' fetch() verifies certificates against the public roots only: no custom CA, client certificate or insecure_skip_verify";
const PROXY_REASON = "Workers cannot send requests through an HTTP proxy";

function mapAt(v: YamlValue | undefined): { [key: string]: YamlValue } | undefined {
  return isYamlMap(v) ? v : undefined;
}

function listAt(v: YamlValue | undefined): YamlValue[] {
  return Array.isArray(v) ? v : [];
}

function httpClientFields(m: { [key: string]: YamlValue }, path: (string | number)[], out: IgnoredField[]): void {
  const tls = mapAt(m.tls_config);
  if (tls !== undefined) {
    for (const k of ["ca", "ca_file", "cert", "cert_file", "key", "key_file", "insecure_skip_verify", "server_name", "min_version", "max_version"]) {
      if (tls[k] !== undefined) out.push({ path: formatPath([...path, "tls_config", k]), reason: TLS_REASON });
    }
  }
  for (const k of ["proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header"]) {
    if (m[k] !== undefined) out.push({ path: formatPath([...path, k]), reason: PROXY_REASON });
  }
}

/** Walks the parsed YAML tree of a valid file and lists the ignored fields. */
export function findIgnoredFields(root: YamlValue | undefined): IgnoredField[] {
  const out: IgnoredField[] = [];
  const top = mapAt(root);
  if (top === undefined) return out;
  for (const k of ["runtime", "otlp", "tracing"]) {
    if (top[k] !== undefined) out.push({ path: k, reason: "not used by edgeprom" });
  }
  if (top.remote_read !== undefined) out.push({ path: "remote_read", reason: "edgeprom does not query remote read endpoints" });
  const global = mapAt(top.global);
  if (global !== undefined) {
    for (const k of ["query_log_file", "scrape_failure_log_file"]) {
      if (global[k] !== undefined) out.push({ path: `global.${k}`, reason: "a Worker has no files to log to" });
    }
    for (const k of IGNORED_SCRAPE_FIELDS) {
      if (global[k] !== undefined) out.push({ path: `global.${k}`, reason: "not supported by edgeprom" });
    }
  }
  listAt(top.scrape_configs).forEach((sc, i) => {
    const m = mapAt(sc);
    if (m === undefined) return;
    const base = ["scrape_configs", i];
    for (const k of IGNORED_SCRAPE_FIELDS) {
      if (m[k] !== undefined) out.push({ path: formatPath([...base, k]), reason: "not supported by edgeprom" });
    }
    httpClientFields(m, base, out);
    listAt(m.http_sd_configs).forEach((h, j) => {
      const hm = mapAt(h);
      if (hm !== undefined) httpClientFields(hm, [...base, "http_sd_configs", j], out);
    });
  });
  listAt(mapAt(top.alerting)?.alertmanagers).forEach((am, i) => {
    const m = mapAt(am);
    if (m === undefined) return;
    httpClientFields(m, ["alerting", "alertmanagers", i], out);
    if (m.sigv4 !== undefined) out.push({ path: formatPath(["alerting", "alertmanagers", i, "sigv4"]), reason: "SigV4 signing is not supported by edgeprom" });
  });
  listAt(top.remote_write).forEach((rw, i) => {
    const m = mapAt(rw);
    if (m === undefined) return;
    httpClientFields(m, ["remote_write", i], out);
    for (const k of ["sigv4", "azuread", "google_iam"]) {
      if (m[k] !== undefined) out.push({ path: formatPath(["remote_write", i, k]), reason: `${k} authentication is not supported by edgeprom` });
    }
  });
  return out;
}
