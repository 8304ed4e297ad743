import type { Alertmanager } from "../alertmanager/alertmanager_object.js";
import type { PushGateway } from "../pushgateway/push_gateway.js";
import type { RemoteWriteQueue } from "../remote/remote_write_queue.js";
import type { RuleEvaluator } from "../rules/rule_evaluator.js";
import type { ScrapeScheduler } from "../scrape/scheduler.js";
import type { SeriesStore } from "../tsdb/series_store.js";

/** Bindings and vars every tier's Worker receives (see wrangler.toml). */
export interface TierEnv {
  SERIES: DurableObjectNamespace<SeriesStore>;
  SCHEDULER: DurableObjectNamespace<ScrapeScheduler>;
  /** One queue per remote_write entry (remote_write_queue.ts); optional so tiers
   * deployed without the binding keep working (remote_write is then not sent). */
  REMOTE_WRITE?: DurableObjectNamespace<RemoteWriteQueue>;
  /** The tier's Pushgateway, served under /pushgateway and scraped as job
   * "pushgateway"; optional so a tier deployed without it keeps working. */
  PUSHGATEWAY?: DurableObjectNamespace<PushGateway>;
  /** The tier's rule evaluation and notifications (`<tier>/rules`); optional so a
   * tier deployed without it keeps working (no rules are evaluated then). */
  RULES?: DurableObjectNamespace<RuleEvaluator>;
  /** The tier's Alertmanager, served under /alertmanager once alertmanager.yml is in
   * KV; optional so a tier deployed without it keeps working. */
  ALERTMANAGER?: DurableObjectNamespace<Alertmanager>;
  /** Prometheus' --web.external-url: the base of alerts' generator URLs and of
   * $externalURL in templates (default http://localhost:9090). */
  EXTERNAL_URL?: string;
  /** prometheus.yml, per-region overrides, file_sd and rule files. */
  CONFIG: KVNamespace;
  /** The tier's name: a region name, or "global". */
  TIER: string;
  /** Number of SeriesStore shards; changing it re-homes series, so set it once. */
  SHARDS?: string;
  STORAGE_RETENTION?: string;
  /** Like --storage.tsdb.retention.size ("512MB"): the tier's chunk+WAL byte limit. */
  STORAGE_RETENTION_SIZE?: string;
  STORAGE_OOO_WINDOW?: string;
  /** When set, writes (remote write, pushes, reload, admin) need
   * `Authorization: Bearer <WRITE_TOKEN>`. */
  WRITE_TOKEN?: string;
  /** "true" turns on /api/v1/admin/* and the Pushgateway's wipe, as
   * --web.enable-admin-api does; off by default unless WRITE_TOKEN is set. */
  ENABLE_ADMIN_API?: string;
  /** "true" turns on /-/reload, as --web.enable-lifecycle does; off by default
   * unless WRITE_TOKEN is set. */
  ENABLE_LIFECYCLE?: string;
  /** When set, every request needs `Authorization: Bearer <READ_TOKEN>` (or the
   * write token, or basic auth from WEB_CONFIG). A secret. */
  READ_TOKEN?: string;
  /** Prometheus' web config YAML (`basic_auth_users: {name: bcrypt hash}`): when set,
   * every request needs basic auth (or a token). A secret. */
  WEB_CONFIG?: string;
  /** LIMIT_LABELS_PER_SERIES, LIMIT_LABEL_NAME_LENGTH, LIMIT_LABEL_VALUE_LENGTH,
   * LIMIT_SERIES_PER_PUSH, LIMIT_QUERY_LENGTH: see model/limits.ts (0 = off). */
  LIMIT_LABELS_PER_SERIES?: string;
  LIMIT_LABEL_NAME_LENGTH?: string;
  LIMIT_LABEL_VALUE_LENGTH?: string;
  LIMIT_SERIES_PER_PUSH?: string;
  LIMIT_QUERY_LENGTH?: string;
  /** Durable Object location hint for the tier's objects ("weur", "enam", "apac", ...). */
  LOCATION_HINT?: string;
  /** Largest accepted request body in bytes (default 32 MiB). */
  MAX_BODY_BYTES?: string;
}
