// Things that are valid Prometheus configuration but will not work as written on
// Cloudflare Workers; `check config` prints them as warnings.
import type { Config, ServiceDiscoveryConfigs } from "./types.js";

export interface ConfigWarning {
  /** Dotted field path, as `scrape_configs[0].static_configs[0].targets[1]`. */
  path: string;
  message: string;
}

const HTTPS_PORT_HINT =
  "deployed Workers cannot reach it (fetch() ignores custom ports on https URLs): serve it on port 443 (for example behind a Cloudflare Tunnel hostname), scrape it over http, or push its metrics instead";

/** The port of a `host:port` / `[v6]:port` address, or undefined when none is given. */
export function addressPort(address: string): number | undefined {
  const m = /^(?:\[[^\]]*\]|[^:[\]]*):(\d+)$/.exec(address);
  return m === null ? undefined : Number(m[1]);
}

/** The explicit port of an https URL, when it is not 443. */
export function customHttpsPort(url: string): number | undefined {
  const m = /^https:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?/i.exec(url);
  if (m === null || m[2] === undefined) return undefined;
  const port = Number(m[2]);
  return port === 443 ? undefined : port;
}

function sdWarnings(what: string, base: string, scheme: string, sd: ServiceDiscoveryConfigs, out: ConfigWarning[]): void {
  sd.staticConfigs.forEach((sc, i) => {
    const effective = sc.labels.__scheme__ ?? scheme;
    if (effective !== "https") return;
    sc.targets.forEach((t, j) => {
      const port = addressPort(t);
      if (port !== undefined && port !== 443) {
        out.push({ path: `${base}.static_configs[${i}].targets[${j}]`, message: `${what}: target "${t}" is https on port ${port}: ${HTTPS_PORT_HINT}` });
      }
    });
  });
  sd.dnsSdConfigs.forEach((d, i) => {
    if (scheme === "https" && d.type !== "SRV" && d.port !== 443) {
      out.push({ path: `${base}.dns_sd_configs[${i}].port`, message: `${what}: DNS targets are https on port ${d.port}: ${HTTPS_PORT_HINT}` });
    }
  });
  sd.httpSdConfigs.forEach((h, i) => {
    const port = customHttpsPort(h.url);
    if (port !== undefined) {
      out.push({ path: `${base}.http_sd_configs[${i}].url`, message: `${what}: HTTP SD URL "${h.url}" is https on port ${port}: ${HTTPS_PORT_HINT}` });
    }
  });
}

/** Warnings for a loaded configuration: https endpoints on custom ports (which a
 * deployed Worker cannot reach) and accepted fields edgeprom does not act on. */
export function configWarnings(config: Config): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  config.scrapeConfigs.forEach((sc, i) => {
    sdWarnings(`scrape job "${sc.jobName}"`, `scrape_configs[${i}]`, sc.scheme, sc, out);
  });
  config.alerting.alertmanagers.forEach((am, i) => {
    sdWarnings("alertmanager", `alerting.alertmanagers[${i}]`, am.scheme, am, out);
  });
  const endpoints: [string, { url: string }[]][] = [
    ["remote_write", config.remoteWrite],
    ["remote_read", config.remoteRead],
  ];
  for (const [section, list] of endpoints) {
    list.forEach((e, i) => {
      if (!/^https?:\/\//i.test(e.url)) out.push({ path: `${section}[${i}].url`, message: `${section} URL "${e.url}" is not http(s)://: sending to it will fail (a Worker speaks http and https only)` });
    });
  }
  config.remoteWrite.forEach((rw, i) => {
    const port = customHttpsPort(rw.url);
    if (port !== undefined) out.push({ path: `remote_write[${i}].url`, message: `remote_write URL "${rw.url}" is https on port ${port}: ${HTTPS_PORT_HINT}` });
  });
  config.remoteRead.forEach((rr, i) => {
    const port = customHttpsPort(rr.url);
    if (port !== undefined) out.push({ path: `remote_read[${i}].url`, message: `remote_read URL "${rr.url}" is https on port ${port}: ${HTTPS_PORT_HINT}` });
  });
  for (const f of config.ignored) out.push({ path: f.path, message: `${f.path} is ignored: ${f.reason}` });
  return out;
}
