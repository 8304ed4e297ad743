import type { Discoverer, FetchFn } from "./discoverer.js";
import { parseTargetGroupsJSON, targetGroupFromRaw, type TargetGroup } from "./target_group.js";

export const URL_LABEL = "__meta_url";
export const HTTP_SD_DEFAULT_REFRESH_MS = 60_000;

/** `http_sd_configs` entry. Authentication (authorization, basic_auth, ...) is
 * resolved by the config layer into request headers. */
export interface HTTPSDConfig {
  readonly url: string;
  /** ms; default 60s. */
  readonly refreshInterval?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Abort the request after this many ms. */
  readonly timeout?: number;
}

export class HTTPSDConfigError extends Error {}

export function validateHTTPSDConfig(cfg: HTTPSDConfig): void {
  if (cfg.url === "") throw new HTTPSDConfigError("URL is missing");
  let u: URL;
  try {
    u = new URL(cfg.url);
  } catch {
    throw new HTTPSDConfigError(`parse ${JSON.stringify(cfg.url)}: invalid URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new HTTPSDConfigError("URL scheme must be 'http' or 'https'");
  if (u.host === "") throw new HTTPSDConfigError("host is missing in URL");
}

const CONTENT_TYPE = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;

export const DEFAULT_USER_AGENT = "edgeprom";

/** http_sd: GETs a JSON list of target groups. Any failure (transport, non-200,
 * wrong content type, invalid body) throws, and the caller keeps the last good list,
 * as Prometheus does. Group i has source "<url>:i" and carries __meta_url. */
export class HTTPDiscoverer implements Discoverer {
  readonly refreshIntervalMs: number;

  constructor(
    private readonly cfg: HTTPSDConfig,
    private readonly fetchFn: FetchFn,
    private readonly userAgent = DEFAULT_USER_AGENT,
  ) {
    validateHTTPSDConfig(cfg);
    this.refreshIntervalMs = cfg.refreshInterval ?? HTTP_SD_DEFAULT_REFRESH_MS;
  }

  async refresh(): Promise<TargetGroup[]> {
    const headers: Record<string, string> = {
      ...(this.cfg.headers ?? {}),
      "user-agent": this.userAgent,
      accept: "application/json",
      "x-prometheus-refresh-interval-seconds": String(this.refreshIntervalMs / 1000),
    };
    const init: RequestInit = { method: "GET", headers };
    if (this.cfg.timeout !== undefined) init.signal = AbortSignal.timeout(this.cfg.timeout);
    const res = await this.fetchFn(this.cfg.url, init);
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`server returned HTTP status ${`${res.status} ${res.statusText}`.trim()}`);
    }
    const ct = res.headers.get("content-type") ?? "";
    if (!CONTENT_TYPE.test(ct.trim())) {
      await res.body?.cancel();
      throw new Error(`unsupported content type ${JSON.stringify(ct)}`);
    }
    const raw = parseTargetGroupsJSON(await res.text());
    return raw.map((g, i) => targetGroupFromRaw(g, `${this.cfg.url}:${i}`, { [URL_LABEL]: this.cfg.url }));
  }
}
