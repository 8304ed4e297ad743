import { stringify } from "yaml";
import { applyGlobalDefaults, parseConfig, type Config, type ScrapeConfig } from "../config/index.js";

/** The host the scheduler routes to the tier's PushGateway object instead of the
 * network. */
export const PUSHGATEWAY_HOST = "pushgateway.edgeprom.internal";
export const PUSHGATEWAY_JOB = "pushgateway";

/** The name of a tier's one PushGateway Durable Object. */
export function pushgatewayObjectName(tier: string): string {
  return `${tier}/pushgateway`;
}

/**
 * The scrape job every tier with a Pushgateway runs without being told: job
 * "pushgateway" with honor_labels (pushed job and instance labels win, as the
 * Pushgateway documentation requires) at the global scrape interval. A job of that
 * name in prometheus.yml replaces it, so users can tune or relabel it.
 */
export function pushgatewayJob(cfg: Config): ScrapeConfig | undefined {
  // The scheduler asks on every alarm; parsing YAML each time cost more than a scrape.
  if (jobs.has(cfg)) return jobs.get(cfg);
  const sc = buildJob(cfg);
  jobs.set(cfg, sc);
  return sc;
}

const jobs = new WeakMap<Config, ScrapeConfig | undefined>();

function buildJob(cfg: Config): ScrapeConfig | undefined {
  if (cfg.scrapeConfigs.some((sc) => sc.jobName === PUSHGATEWAY_JOB)) return undefined;
  const yaml = stringify({
    scrape_configs: [{ job_name: PUSHGATEWAY_JOB, honor_labels: true, metrics_path: "/pushgateway/metrics", static_configs: [{ targets: [PUSHGATEWAY_HOST] }] }],
  });
  const sc = parseConfig(yaml).scrapeConfigs[0]!;
  // Parsed against default globals; take this configuration's instead.
  sc.scrapeInterval = 0;
  sc.scrapeTimeout = 0;
  applyGlobalDefaults(sc, cfg.global);
  return sc;
}
