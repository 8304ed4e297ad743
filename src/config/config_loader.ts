import { ConfigError } from "./errors.js";
import { loadConfigFromKV, type KVReader } from "./kv_keys.js";
import type { Config } from "./types.js";

/** How often a tier reads its configuration again without a reload: KV sends no
 * change events, where Prometheus would be told to reload. */
export const CONFIG_TTL_MS = 60_000;

/** A tier's configuration as its last read left it. */
export interface ConfigState {
  /** The last good configuration; null until one was read. */
  config: Config | null;
  /** The KV key and the text `config` came from. */
  key: string;
  text: string;
  /** Why the last read failed ("" when it did not). */
  error: string;
  /** When KV was last read (ms). */
  loadedAt: number;
}

export interface ConfigLoaderOptions {
  ttlMs?: number;
  now?: () => number;
  /** Told once per read that changed the configuration or failed. */
  log?: (event: Record<string, unknown>) => void;
}

/**
 * The one reader of a tier's prometheus.yml: the HTTP API, the scrape scheduler and
 * the rule evaluator all see the configuration through it. It reads KV at most once
 * per TTL (or when forced, as /-/reload does); a read that fails keeps the last good
 * configuration and reports why, as a failed Prometheus reload does.
 */
export class ConfigLoader {
  private state: ConfigState = { config: null, key: "", text: "", error: "", loadedAt: 0 };
  private read = false;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly kv: KVReader,
    private readonly tier: string,
    private readonly opts: ConfigLoaderOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? CONFIG_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  /** The configuration, read from KV again when older than the TTL or `force`d. */
  async get(force = false): Promise<ConfigState> {
    const now = this.now();
    if (this.read && !force && now - this.state.loadedAt < this.ttlMs) return this.state;
    // Callers meanwhile keep the current state rather than each reading KV; no state
    // yet means each waits for a read of its own (promises do not cross requests).
    if (this.read) this.state = { ...this.state, loadedAt: now };
    try {
      const loaded = await loadConfigFromKV(this.kv, this.tier);
      const changed = loaded.text !== this.state.text || this.state.config === null;
      this.state = { config: changed ? loaded.config : this.state.config, key: loaded.key, text: loaded.text, error: "", loadedAt: now };
      if (changed) this.opts.log?.({ event: "config_loaded", key: loaded.key, jobs: loaded.config.scrapeConfigs.length });
    } catch (e) {
      const error = e instanceof ConfigError ? e.message : String(e);
      this.state = { ...this.state, error, loadedAt: now };
      this.opts.log?.({ event: "config_error", error });
    }
    this.read = true;
    return this.state;
  }

  /** The state as the last read left it, without reading. */
  current(): ConfigState {
    return this.state;
  }

  /** The next get() reads KV. */
  invalidate(): void {
    this.state = { ...this.state, loadedAt: 0 };
  }
}
