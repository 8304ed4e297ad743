import { alertmanagerObjectName } from "../alertmanager/mount.js";
import { ConfigLoader } from "../config/index.js";
import { Engine } from "../promql/engine/engine.js";
import { remoteWriteTargets, teeStorage } from "../remote/tee_appender.js";
import { PUSHGATEWAY_HOST, pushgatewayObjectName } from "../scrape/pushgateway_job.js";
import { ShardedStorage, shardClients } from "../storage/sharded_storage.js";
import type { Storage } from "../storage/storage.js";

/** Prometheus' default external URL is its own listen address. */
export const DEFAULT_EXTERNAL_URL = "http://localhost:9090";

/**
 * One tier's wiring, built once per isolate from the Worker's env, as Prometheus'
 * main builds its storage, query engine and configuration reloading once and hands
 * them to the web API, scraping and rule evaluation: the HTTP app, the
 * ScrapeScheduler and the RuleEvaluator all get theirs from here (objects.ts).
 */
export class Tier {
  readonly name: string;
  readonly config: ConfigLoader;
  readonly engine = new Engine();
  /** prometheus.yml, file_sd files and rule files. */
  readonly kv: KVNamespace;
  readonly externalURL: string;
  readonly hasPushgateway: boolean;
  /** fetch for scrape targets (see serviceFetch). */
  readonly targetFetch: (url: string, init: RequestInit) => Promise<Response>;

  constructor(readonly env: Env) {
    this.name = env.TIER;
    this.kv = env.CONFIG;
    this.config = new ConfigLoader(env.CONFIG, env.TIER, { log: (e) => this.log(e) });
    this.externalURL = (env.EXTERNAL_URL || DEFAULT_EXTERNAL_URL).replace(/\/+$/, "");
    this.hasPushgateway = env.PUSHGATEWAY !== undefined;
    this.targetFetch = serviceFetch(this);
  }

  /** One JSON line per event worth looking at. */
  log(event: Record<string, unknown>): void {
    console.log(JSON.stringify({ tier: this.name, ...event }));
  }

  /** The tier's series, over a fresh set of shard stubs: a stub belongs to the
   * request that made it. */
  storage(): ShardedStorage {
    return new ShardedStorage(shardClients(this.env.SERIES, this.name, Number(this.env.SHARDS || "1"), this.env.LOCATION_HINT));
  }

  /** The tier's storage whose appends also go to the remote_write queues of the
   * current configuration, as Prometheus' fanout storage sends them to local and
   * remote storage. */
  async appendStorage(): Promise<Storage> {
    const base = this.storage();
    const rw = this.env.REMOTE_WRITE;
    if (rw === undefined) return base;
    const { config } = await this.config.get();
    return teeStorage(base, remoteWriteTargets(config, this.name, (name) => rw.get(rw.idFromName(name))));
  }

  /** The tier's one ScrapeScheduler. */
  scheduler() {
    return this.object(this.env.SCHEDULER, `${this.name}/scheduler`);
  }

  /** The tier's RuleEvaluator, when the tier has the binding. */
  rules() {
    return this.env.RULES && this.object(this.env.RULES, `${this.name}/rules`);
  }

  /** The tier's Pushgateway, when the tier has the binding. */
  pushgateway() {
    return this.env.PUSHGATEWAY && this.object(this.env.PUSHGATEWAY, pushgatewayObjectName(this.name));
  }

  /** The tier's Alertmanager, when the tier has the binding. */
  alertmanager() {
    return this.env.ALERTMANAGER && this.object(this.env.ALERTMANAGER, alertmanagerObjectName(this.name));
  }

  /** A named object of the tier, created near its targets when LOCATION_HINT is set. */
  private object<T extends Rpc.DurableObjectBranded | undefined>(ns: DurableObjectNamespace<T>, name: string): DurableObjectStub<T> {
    const opts = this.env.LOCATION_HINT ? { locationHint: this.env.LOCATION_HINT as DurableObjectLocationHint } : undefined;
    return ns.get(ns.idFromName(name), opts);
  }
}

const tiers = new WeakMap<object, Tier>();

/** The tier of an env: Workers pass the same env object to every request of an
 * isolate, and an object gets one env for its lifetime. */
export function tierOf(env: Env): Tier {
  let t = tiers.get(env);
  if (t === undefined) tiers.set(env, (t = new Tier(env)));
  return t;
}

/** fetch, except for hosts that SERVICE_TARGETS maps to a service binding, and the
 * tier's own Pushgateway, reached through its Durable Object binding. */
function serviceFetch(tier: Tier): (url: string, init: RequestInit) => Promise<Response> {
  const routes = new Map<string, Pick<Fetcher, "fetch">>();
  if (tier.hasPushgateway) {
    // A stub belongs to the request that made it, so each scrape makes its own.
    routes.set(PUSHGATEWAY_HOST, { fetch: (u: RequestInfo | URL, i?: RequestInit) => tier.pushgateway()!.fetch(u, i) });
  }
  const env = tier.env;
  if (env.SERVICE_TARGETS) {
    for (const [host, binding] of Object.entries(JSON.parse(env.SERVICE_TARGETS) as Record<string, string>)) {
      const f = (env as unknown as Record<string, Fetcher | undefined>)[binding];
      if (f !== undefined) routes.set(host, f);
    }
  }
  return (url, init) => {
    const via = routes.size === 0 ? undefined : routes.get(new URL(url).host);
    return via === undefined ? fetch(url, init) : via.fetch(url, init);
  };
}
