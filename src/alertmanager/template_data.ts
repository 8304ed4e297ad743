// template.Data for one notification: status, common labels and annotations, and the
// receiver name escaped as Alertmanager does (regexp.QuoteMeta).
import { resolvedAt, type AmAlert } from "./alert.js";
import type { TemplateAlert, TemplateData } from "./am_template.js";

const META = /[\\.+*?()|[\]{}^$]/g;

export function quoteMeta(s: string): string {
  return s.replace(META, "\\$&");
}

function common(maps: Record<string, string>[]): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
}

export function templateAlert(a: AmAlert, now: number): TemplateAlert {
  const resolved = resolvedAt(a, now);
  return {
    status: resolved ? "resolved" : "firing",
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
}

export function templateData(receiver: string, groupLabels: Record<string, string>, alerts: AmAlert[], externalURL: string, now: number): TemplateData {
  const tas = alerts.map((a) => templateAlert(a, now));
  return {
    receiver: quoteMeta(receiver),
    status: tas.some((a) => a.status === "firing") ? "firing" : "resolved",
    alerts: tas,
    groupLabels: { ...groupLabels },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
  };
}

/** Go's time.Time JSON form (RFC 3339 with trimmed nanoseconds, UTC); 0 is year 1. */
export function goTimeJSON(ms: number): string {
  if (ms === 0) return "0001-01-01T00:00:00Z";
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z");
}
