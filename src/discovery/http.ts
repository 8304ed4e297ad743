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
  /** Credentials (basic_auth, authorization) as headers, built for each request so
   * that rotated `*_file` secrets apply; sent to the SD URL's own origin only. */
  readonly authHeaders?: () => Promise<Record<string, string>>;
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

/** Go's http.Client gives up after 10 redirects. */
const MAX_REDIRECTS = 10;

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
    const auth = this.cfg.authHeaders === undefined ? {} : await this.cfg.authHeaders();
    const signal = this.cfg.timeout !== undefined ? AbortSignal.timeout(this.cfg.timeout) : undefined;
    const res = await this.get(headers, auth, signal);
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

  /** GETs the SD URL, following redirects by hand so that credentials reach its own
   * origin only, as Go's client drops them on a redirect to another host. */
  private async get(headers: Record<string, string>, auth: Record<string, string>, signal: AbortSignal | undefined): Promise<Response> {
    const origin = new URL(this.cfg.url).origin;
    let url = this.cfg.url;
    for (let hop = 0; ; hop++) {
      const init: RequestInit = { method: "GET", headers: new URL(url).origin === origin ? { ...headers, ...auth } : headers, redirect: "manual" };
      if (signal !== undefined) init.signal = signal;
      const res = await this.fetchFn(url, init);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || location === null || hop >= MAX_REDIRECTS) return res;
      await res.body?.cancel();
      url = new URL(location, url).toString();
    }
  }
}
