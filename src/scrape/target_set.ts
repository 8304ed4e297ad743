import { authHeaders } from "../config/http_auth.js";
import type { ScrapeConfig } from "../config/types.js";
import type { TargetGroup } from "../discovery/target_group.js";
import { fnv1a, labelsKey, labelsFromPairs, type Labels } from "../model/labels.js";
import { compileRelabelConfigs, populateTargetLabels, relabel, type CompiledRelabelConfig } from "../relabel/index.js";
import type { ScrapeTarget } from "./scrape_loop.js";
import { scrapeAcceptHeader } from "./scrape_protocols.js";

/** A target as /api/v1/targets shows it, with what the scrape loop needs. */
export interface ActiveTarget {
  id: string;
  target: ScrapeTarget;
  discoveredLabels: Labels;
  /** Offset of this target's scrapes within its interval, spreading load. */
  offsetMs: number;
}

export interface DroppedTarget {
  pool: string;
  discoveredLabels: Labels;
}

/** Resolves one scrape config's discovered groups into active and dropped targets,
 * the way Prometheus' scrape pool does: group labels under target labels, the
 * config's relabel_configs, then the scrape URL and per-target settings. */
export function resolveTargets(cfg: ScrapeConfig, groups: readonly TargetGroup[]): { active: ActiveTarget[]; dropped: DroppedTarget[]; errors: string[] } {
  const relabelCfgs = compileRelabelConfigs(cfg.relabelConfigs);
  const metricRelabel = metricRelabellerFor(cfg);
  // Sent only to this target: redirects to another host drop them (scrape_loop.ts).
  const headers = authHeaders(cfg.httpClient);
  const active: ActiveTarget[] = [];
  const dropped: DroppedTarget[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    for (const t of g.targets) {
      const merged = labelsFromPairs([...g.labels, ...t].map((l) => [l.name, l.value] as const));
      const p = populateTargetLabels(merged, cfg, relabelCfgs);
      if (p.error !== undefined) {
        errors.push(p.error);
        continue;
      }
      if (p.dropped || p.scrapeUrl === undefined) {
        dropped.push({ pool: cfg.jobName, discoveredLabels: p.discoveredLabels });
        continue;
      }
      const id = `${cfg.jobName}\u0000${p.scrapeUrl}\u0000${labelsKey(p.labels)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const intervalMs = p.scrapeIntervalMs ?? cfg.scrapeInterval;
      active.push({
        id,
        discoveredLabels: p.discoveredLabels,
        offsetMs: fnv1a(id) % Math.max(1, intervalMs),
        target: {
          pool: cfg.jobName,
          url: p.scrapeUrl,
          labels: p.labels,
          intervalMs,
          timeoutMs: p.scrapeTimeoutMs ?? cfg.scrapeTimeout,
          honorLabels: cfg.honorLabels,
          honorTimestamps: cfg.honorTimestamps,
          followRedirects: cfg.httpClient.followRedirects,
          headers,
          bodySizeLimit: cfg.bodySizeLimit,
          sampleLimit: cfg.sampleLimit,
          labelLimit: cfg.labelLimit,
          labelNameLengthLimit: cfg.labelNameLengthLimit,
          labelValueLengthLimit: cfg.labelValueLengthLimit,
          metricRelabel,
          accept: scrapeAcceptHeader(cfg),
          nativeHistograms: cfg.scrapeNativeHistograms === true,
          classicHistograms: cfg.alwaysScrapeClassicHistograms === true,
        },
      });
    }
  }
  if (cfg.targetLimit > 0 && active.length > cfg.targetLimit) {
    errors.push(`target_limit exceeded (number of targets: ${active.length}, limit: ${cfg.targetLimit})`);
    active.length = 0;
  }
  return { active, dropped, errors };
}

// One relabeller per loaded scrape config, not per resolution: targets are resolved
// before every scrape, and the scrape cache (scrape_cache.ts) stays valid only while
// the relabeller is the same one.
const relabellers = new WeakMap<ScrapeConfig, ScrapeTarget["metricRelabel"]>();

function metricRelabellerFor(cfg: ScrapeConfig): ScrapeTarget["metricRelabel"] {
  let r = relabellers.get(cfg);
  if (r === undefined) relabellers.set(cfg, (r = metricRelabeller(compileRelabelConfigs(cfg.metricRelabelConfigs))));
  return r;
}

function metricRelabeller(cfgs: CompiledRelabelConfig[]): ScrapeTarget["metricRelabel"] {
  return cfgs.length === 0 ? null : (ls) => relabel(ls, cfgs);
}
