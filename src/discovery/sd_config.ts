import { fileKey } from "../config/kv_keys.js";
import { resolveAuthHeaders, type SecretFileReader } from "../config/http_auth.js";
import type { ServiceDiscoveryConfigs } from "../config/types.js";
import type { ScrapeDiscoveryConfig } from "./manager.js";

/**
 * A scrape config's or an Alertmanager entry's service discovery as the discovery layer takes it: http_sd
 * entries carry their basic_auth / authorization credentials (inline or from
 * `*_file` KV keys, read again on every refresh as Prometheus re-reads files).
 */
export function discoveryConfigFor(sc: ServiceDiscoveryConfigs, read: SecretFileReader): ScrapeDiscoveryConfig {
  return {
    staticConfigs: sc.staticConfigs,
    fileSdConfigs: sc.fileSdConfigs,
    dnsSdConfigs: sc.dnsSdConfigs,
    httpSdConfigs: sc.httpSdConfigs.map((h) => ({
      url: h.url,
      refreshInterval: h.refreshInterval,
      authHeaders: () => resolveAuthHeaders(h.httpClient, (path) => read(fileKey(path))),
    })),
  };
}
