import { labelsFromRecord } from "../model/labels.js";
import type { Family, FamilySample } from "../telemetry/registry.js";
import type { LatencySnapshot } from "./latency.js";

/** Per-Alertmanager figures, keyed by the URL alerts are posted to. */
export interface AlertmanagerStats {
  url: string;
  /** Alerts posted to it, delivered or not (Prometheus counts both). */
  sent: number;
  /** Alerts in posts that failed. */
  errors: number;
  latency: LatencySnapshot;
  /** The last failure's message; "" after a success. */
  lastError: string;
}

/** Everything the notifier's metrics need, as plain data: a Durable Object returns it
 * over RPC and the tier's /metrics renders it with notifierFamilies. */
export interface NotifierMetrics {
  queueLength: number;
  queueCapacity: number;
  dropped: number;
  alertmanagersDiscovered: number;
  alertmanagers: AlertmanagerStats[];
}

/** Prometheus' notifier metric families, under Prometheus' names. */
export function notifierFamilies(m: NotifierMetrics): Family[] {
  const perAm = (value: (s: AlertmanagerStats) => number): FamilySample[] =>
    m.alertmanagers.map((s) => ({ suffix: "", labels: labelsFromRecord({ alertmanager: s.url }), value: value(s) }));
  const latency: FamilySample[] = [];
  for (const s of m.alertmanagers) {
    for (const [q, v] of Object.entries(s.latency.quantiles)) {
      latency.push({ suffix: "", labels: labelsFromRecord({ alertmanager: s.url, quantile: q }), value: v });
    }
    latency.push({ suffix: "_sum", labels: labelsFromRecord({ alertmanager: s.url }), value: s.latency.sum });
    latency.push({ suffix: "_count", labels: labelsFromRecord({ alertmanager: s.url }), value: s.latency.count });
  }
  const one = (value: number): FamilySample[] => [{ suffix: "", labels: [], value }];
  return [
    { name: "prometheus_notifications_latency_seconds", help: "Seconds taken to post alerts to each Alertmanager (quantiles over the last 10 minutes).", type: "summary", samples: latency },
    { name: "prometheus_notifications_errors_total", help: "Alerts in posts to an Alertmanager that failed.", type: "counter", samples: perAm((s) => s.errors) },
    { name: "prometheus_notifications_sent_total", help: "Alerts posted to an Alertmanager, delivered or not.", type: "counter", samples: perAm((s) => s.sent) },
    { name: "prometheus_notifications_dropped_total", help: "Alerts dropped: queue overflow, or a batch no Alertmanager of some set accepted.", type: "counter", samples: one(m.dropped) },
    { name: "prometheus_notifications_queue_length", help: "Alerts waiting in the notification queue.", type: "gauge", samples: one(m.queueLength) },
    { name: "prometheus_notifications_queue_capacity", help: "Alerts the notification queue holds at most.", type: "gauge", samples: one(m.queueCapacity) },
    { name: "prometheus_notifications_alertmanagers_discovered", help: "Alertmanagers currently discovered and not dropped by relabelling.", type: "gauge", samples: one(m.alertmanagersDiscovered) },
  ];
}
