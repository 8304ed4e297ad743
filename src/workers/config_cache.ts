import { ConfigError, loadConfigFromKV, type Config } from "../config/index.js";
import { labelsFromRecord, type Labels } from "../model/labels.js";

const TTL_MS = 60_000;

/** The tier's prometheus.yml as the Worker needs it outside the scheduler (external
 * labels for /federate), read from KV at most once a minute per isolate. */
export class ConfigCache {
  private value: Config | null = null;
  private loadedAt = 0;

  constructor(
    private readonly kv: KVNamespace,
    private readonly tier: string,
  ) {}

  invalidate(): void {
    this.loadedAt = 0;
  }

  async get(): Promise<Config | null> {
    if (Date.now() - this.loadedAt < TTL_MS) return this.value;
    this.loadedAt = Date.now();
    try {
      this.value = (await loadConfigFromKV(this.kv, this.tier)).config;
    } catch (e) {
      // Missing or broken: keep the last good one; the scheduler reports the error.
      if (!(e instanceof ConfigError)) throw e;
    }
    return this.value;
  }

  async externalLabels(): Promise<Labels> {
    return labelsFromRecord((await this.get())?.global.externalLabels ?? {});
  }
}
