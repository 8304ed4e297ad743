import { DNSDiscoverer, type DNSSDConfig } from "./dns.js";
import { errorMessage, PartialRefreshError, type Discoverer, type FetchFn, type ListFn, type ReadFn } from "./discoverer.js";
import { FileDiscoverer, type FileSDConfig } from "./file.js";
import { HTTPDiscoverer, type HTTPSDConfig } from "./http.js";
import { StaticDiscoverer, type StaticConfig } from "./static.js";
import type { TargetGroup } from "./target_group.js";

/** The service discovery part of a scrape config. */
export interface ScrapeDiscoveryConfig {
  readonly staticConfigs?: readonly StaticConfig[];
  readonly fileSdConfigs?: readonly FileSDConfig[];
  readonly httpSdConfigs?: readonly HTTPSDConfig[];
  readonly dnsSdConfigs?: readonly DNSSDConfig[];
}

/** Injected I/O; only what the configured providers need must be present. */
export interface DiscoveryIO {
  readonly fetch?: FetchFn;
  readonly read?: ReadFn;
  readonly list?: ListFn;
  /** DNS-over-HTTPS JSON endpoint for dns_sd (default Cloudflare's). */
  readonly dohEndpoint?: string;
  readonly userAgent?: string;
  /** Per-request timeout in ms for http_sd and DoH. */
  readonly timeout?: number;
}

export interface Provider {
  /** "static/0", "file/1", "http/0", "dns/0": type and index within the scrape config. */
  readonly name: string;
  readonly discoverer: Discoverer;
}

export class DiscoveryConfigError extends Error {}

/** One provider per SD config entry; all static_configs form one provider, as in
 * Prometheus. */
export function providersFor(cfg: ScrapeDiscoveryConfig, io: DiscoveryIO): Provider[] {
  const out: Provider[] = [];
  if (cfg.staticConfigs !== undefined && cfg.staticConfigs.length > 0) {
    out.push({ name: "static/0", discoverer: new StaticDiscoverer(cfg.staticConfigs) });
  }
  (cfg.fileSdConfigs ?? []).forEach((c, i) => {
    if (io.read === undefined || io.list === undefined) throw new DiscoveryConfigError("file_sd_configs need KV read and list functions");
    out.push({ name: `file/${i}`, discoverer: new FileDiscoverer(c, { read: io.read, list: io.list }) });
  });
  (cfg.httpSdConfigs ?? []).forEach((c, i) => {
    if (io.fetch === undefined) throw new DiscoveryConfigError("http_sd_configs need a fetch function");
    const hc = io.timeout !== undefined && c.timeout === undefined ? { ...c, timeout: io.timeout } : c;
    out.push({ name: `http/${i}`, discoverer: new HTTPDiscoverer(hc, io.fetch, io.userAgent) });
  });
  (cfg.dnsSdConfigs ?? []).forEach((c, i) => {
    if (io.fetch === undefined) throw new DiscoveryConfigError("dns_sd_configs need a fetch function");
    const opts = { fetch: io.fetch, ...(io.dohEndpoint !== undefined ? { endpoint: io.dohEndpoint } : {}), ...(io.timeout !== undefined ? { timeout: io.timeout } : {}) };
    out.push({ name: `dns/${i}`, discoverer: new DNSDiscoverer(c, opts) });
  });
  return out;
}

export interface ProviderStatus {
  readonly name: string;
  /** The current groups: the last good result when the last refresh failed. */
  readonly groups: readonly TargetGroup[];
  /** The last refresh's error (whole or partial); absent after a clean refresh. */
  readonly error?: string;
  /** When the last refresh finished (ms since the epoch), successful or not. */
  readonly lastRefreshAt?: number;
  readonly lastSuccessAt?: number;
  readonly refreshIntervalMs: number;
}

/** JSON-serialisable state, to survive a Durable Object eviction. */
export interface DiscoverySnapshot {
  readonly providers: readonly Omit<ProviderStatus, "refreshIntervalMs">[];
}

interface State {
  groups: readonly TargetGroup[];
  error?: string;
  lastRefreshAt?: number;
  lastSuccessAt?: number;
}

/** Runs the providers of one scrape config. Each refresh() call refreshes the
 * providers whose refresh_interval has elapsed (all of them with `force`), in
 * parallel; a provider that fails keeps its last good groups and exposes the error. */
export class DiscoveryManager {
  private readonly states = new Map<string, State>();
  private inflight: Promise<ProviderStatus[]> | null = null;
  private readonly now: () => number;

  constructor(
    readonly providers: readonly Provider[],
    opts: { now?: () => number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    for (const p of providers) this.states.set(p.name, { groups: [] });
  }

  static forScrapeConfig(cfg: ScrapeDiscoveryConfig, io: DiscoveryIO, opts: { now?: () => number } = {}): DiscoveryManager {
    return new DiscoveryManager(providersFor(cfg, io), opts);
  }

  /** Refreshes the due providers; concurrent calls share one run. */
  refresh(opts: { force?: boolean } = {}): Promise<ProviderStatus[]> {
    if (this.inflight !== null) return this.inflight;
    const run = this.run(opts.force === true).finally(() => {
      this.inflight = null;
    });
    this.inflight = run;
    return run;
  }

  private async run(force: boolean): Promise<ProviderStatus[]> {
    const now = this.now();
    await Promise.all(
      this.providers.map(async (p) => {
        const st = this.states.get(p.name)!;
        if (!force && st.lastRefreshAt !== undefined && now - st.lastRefreshAt < p.discoverer.refreshIntervalMs) return;
        try {
          const groups = await p.discoverer.refresh();
          const t = this.now();
          this.states.set(p.name, { groups, lastRefreshAt: t, lastSuccessAt: t });
        } catch (e) {
          const t = this.now();
          const next: State = { groups: e instanceof PartialRefreshError ? e.groups : st.groups, error: errorMessage(e), lastRefreshAt: t };
          if (st.lastSuccessAt !== undefined) next.lastSuccessAt = st.lastSuccessAt;
          this.states.set(p.name, next);
        }
      }),
    );
    return this.status();
  }

  status(): ProviderStatus[] {
    return this.providers.map((p) => ({ name: p.name, refreshIntervalMs: p.discoverer.refreshIntervalMs, ...this.states.get(p.name)! }));
  }

  /** Every current group, with the provider it came from (sources are unique only
   * within a provider). */
  groups(): { provider: string; group: TargetGroup }[] {
    const out: { provider: string; group: TargetGroup }[] = [];
    for (const p of this.providers) for (const group of this.states.get(p.name)!.groups) out.push({ provider: p.name, group });
    return out;
  }

  /** When the next provider falls due (ms since the epoch); now if one never ran. */
  nextRefreshAt(): number {
    let next = Infinity;
    for (const p of this.providers) {
      const st = this.states.get(p.name)!;
      const at = st.lastRefreshAt === undefined ? this.now() : st.lastRefreshAt + p.discoverer.refreshIntervalMs;
      if (at < next) next = at;
    }
    return next;
  }

  snapshot(): DiscoverySnapshot {
    return { providers: this.providers.map((p) => ({ name: p.name, ...this.states.get(p.name)! })) };
  }

  /** Restores a snapshot taken with the same scrape config: the groups become the
   * last good state of each provider of the same name. */
  restore(s: DiscoverySnapshot): void {
    for (const saved of s.providers) {
      const p = this.providers.find((x) => x.name === saved.name);
      if (p === undefined) continue;
      const st: State = { groups: saved.groups };
      if (saved.error !== undefined) st.error = saved.error;
      if (saved.lastRefreshAt !== undefined) st.lastRefreshAt = saved.lastRefreshAt;
      if (saved.lastSuccessAt !== undefined) st.lastSuccessAt = saved.lastSuccessAt;
      this.states.set(p.name, st);
      p.discoverer.seed?.(saved.groups);
    }
  }
}

/** One-shot discovery for a scrape config: every provider refreshed once. */
export async function discover(cfg: ScrapeDiscoveryConfig, io: DiscoveryIO): Promise<ProviderStatus[]> {
  return DiscoveryManager.forScrapeConfig(cfg, io).refresh({ force: true });
}
