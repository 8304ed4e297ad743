import type { AlertmanagerConfig } from "../config/types.js";
import { DiscoveryManager, type DiscoveryIO } from "../discovery/manager.js";
import { discoveryConfigFor } from "../discovery/sd_config.js";
import type { TargetGroup } from "../discovery/target_group.js";
import { getLabel, type Labels } from "../model/labels.js";
import { ADDRESS_LABEL, checkTargetAddress, compileRelabelConfigs, RelabelBuilder, relabelBuilder, SCHEME_LABEL, type CompiledRelabelConfig } from "../relabel/index.js";
import { alertsPath, formatURL } from "./go_url.js";

/** The label relabel_configs can rewrite to change where alerts are posted. */
export const ALERTS_PATH_LABEL = "__alerts_path__";

/** One Alertmanager a set posts to (or would, when relabelling dropped it). */
export interface AlertmanagerTarget {
  readonly url: string;
  /** After relabelling for active ones, before it for dropped ones (as Prometheus). */
  readonly labels: Labels;
}

/**
 * The Alertmanagers of one `alerting.alertmanagers` entry (Prometheus'
 * alertmanagerSet): its service discovery, the targets relabelled into URLs, and
 * the settings every post to them shares (timeout, auth, alert_relabel_configs).
 */
export class AlertmanagerSet {
  readonly discovery: DiscoveryManager;
  readonly relabel: CompiledRelabelConfig[];
  readonly alertRelabel: CompiledRelabelConfig[];
  private active: AlertmanagerTarget[] = [];
  private dropped: AlertmanagerTarget[] = [];
  /** Why groups were skipped at the last sync (an invalid __address__). */
  errors: string[] = [];

  constructor(
    readonly config: AlertmanagerConfig,
    io: DiscoveryIO,
    opts: { now?: () => number } = {},
  ) {
    this.relabel = compileRelabelConfigs(config.relabelConfigs);
    this.alertRelabel = compileRelabelConfigs(config.alertRelabelConfigs);
    // http_sd requests carry the SD config's own credentials (files re-read each
    // refresh) to the SD URL's origin only, as scrape configs' do.
    const read = io.read;
    const sd = discoveryConfigFor(config, async (key) => (read === undefined ? null : read(key)));
    this.discovery = DiscoveryManager.forScrapeConfig(sd, io, opts);
  }

  /** Refreshes the providers that are due (all with `force`) and re-resolves the
   * Alertmanagers from the groups. Returns the errors the previous refresh did not
   * have, so that a lasting problem is reported once, not at every flush. */
  async refresh(force = false): Promise<string[]> {
    const before = new Set(this.errors);
    const statuses = await this.discovery.refresh({ force });
    this.sync(this.discovery.groups().map((g) => g.group));
    for (const st of statuses) if (st.error !== undefined) this.errors.push(`discovery ${st.name}: ${st.error}`);
    return this.errors.filter((e) => !before.has(e));
  }

  /** Prometheus' alertmanagerSet.sync: every group's targets resolved, active ones
   * de-duplicated by URL. A group with an invalid address is skipped whole. */
  sync(groups: readonly TargetGroup[]): void {
    const active: AlertmanagerTarget[] = [];
    const dropped: AlertmanagerTarget[] = [];
    const errors: string[] = [];
    for (const g of groups) {
      const r = alertmanagersFromGroup(g, this.config, this.relabel);
      if (typeof r === "string") {
        errors.push(r);
        continue;
      }
      active.push(...r.active);
      dropped.push(...r.dropped);
    }
    const seen = new Set<string>();
    this.active = active.filter((am) => (seen.has(am.url) ? false : (seen.add(am.url), true)));
    this.dropped = dropped;
    this.errors = errors;
  }

  get alertmanagers(): readonly AlertmanagerTarget[] {
    return this.active;
  }

  get droppedAlertmanagers(): readonly AlertmanagerTarget[] {
    return this.dropped;
  }
}

/** Prometheus' AlertmanagerFromGroup: target labels, then the configured scheme and
 * alerts path (overriding the target's), then the group's labels the target lacks;
 * relabel_configs decide, and the result must have a valid __address__. Returns the
 * error when one target's address is invalid, which voids the whole group. */
export function alertmanagersFromGroup(
  g: TargetGroup,
  cfg: Pick<AlertmanagerConfig, "scheme" | "pathPrefix" | "apiVersion">,
  relabel: readonly CompiledRelabelConfig[],
): { active: AlertmanagerTarget[]; dropped: AlertmanagerTarget[] } | string {
  const active: AlertmanagerTarget[] = [];
  const dropped: AlertmanagerTarget[] = [];
  const path = alertsPath(cfg.pathPrefix, cfg.apiVersion);
  for (const t of g.targets) {
    const lb = new RelabelBuilder(t);
    lb.set(SCHEME_LABEL, cfg.scheme);
    lb.set(ALERTS_PATH_LABEL, path);
    for (const l of g.labels) if (getLabel(t, l.name) === "") lb.set(l.name, l.value);
    const pre = lb.labels();
    if (!relabelBuilder(lb, relabel)) {
      dropped.push({ url: urlOf(pre), labels: pre });
      continue;
    }
    const labels = lb.labels();
    const err = checkTargetAddress(getLabel(labels, ADDRESS_LABEL));
    if (err !== null) return err;
    active.push({ url: urlOf(labels), labels });
  }
  return { active, dropped };
}

function urlOf(ls: Labels): string {
  return formatURL(getLabel(ls, SCHEME_LABEL), getLabel(ls, ADDRESS_LABEL), getLabel(ls, ALERTS_PATH_LABEL));
}
