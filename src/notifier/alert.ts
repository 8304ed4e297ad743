import { labelsFromRecord, type Labels } from "../model/labels.js";
import { RelabelBuilder, relabelBuilder, type CompiledRelabelConfig } from "../relabel/index.js";

/** An alert as the rules engine hands it over (Prometheus' notifier.Alert). Label and
 * annotation values that are empty count as absent, as everywhere in Prometheus. */
export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ms since the epoch. */
  startsAt: number;
  /** ms since the epoch; absent (or 0) while the rule does not know when it ends. */
  endsAt?: number;
  generatorURL: string;
}

/** An alert inside the notifier: labels sorted, so relabelling can work on them. */
export interface QueuedAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  /** 0 when not set. */
  readonly endsAt: number;
  readonly generatorURL: string;
}

export function toQueuedAlert(a: Alert): QueuedAlert {
  return {
    labels: labelsFromRecord(a.labels),
    annotations: labelsFromRecord(a.annotations),
    startsAt: a.startsAt,
    endsAt: a.endsAt ?? 0,
    generatorURL: a.generatorURL,
  };
}

/** Prometheus' relabelAlerts: each external label is added unless the alert already
 * has that label, then the relabel configs run; alerts they drop are left out. */
export function relabelAlerts(alerts: readonly QueuedAlert[], configs: readonly CompiledRelabelConfig[], externalLabels: Labels): QueuedAlert[] {
  if (configs.length === 0 && externalLabels.length === 0) return alerts.slice();
  const out: QueuedAlert[] = [];
  const lb = new RelabelBuilder([]);
  for (const a of alerts) {
    lb.reset(a.labels);
    for (const l of externalLabels) if (lb.get(l.name) === "") lb.set(l.name, l.value);
    if (!relabelBuilder(lb, configs)) continue;
    const labels = lb.labels();
    out.push(labels === a.labels ? a : { ...a, labels });
  }
  return out;
}
