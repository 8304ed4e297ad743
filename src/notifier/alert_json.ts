import type { Labels } from "../model/labels.js";
import type { QueuedAlert } from "./alert.js";

/**
 * The body of POST /api/v2/alerts: Alertmanager's postableAlerts, byte for byte as
 * Prometheus marshals them (go-swagger models through encoding/json): keys in the
 * order annotations, endsAt, startsAt, generatorURL, labels; label maps sorted by
 * name; timestamps RFC 3339 in UTC with milliseconds; `<`, `>`, `&`, U+2028 and
 * U+2029 escaped as Go does. Empty annotations and an empty generatorURL are left
 * out (omitempty). An unset endsAt is left out too: Alertmanager reads a missing
 * endsAt and Go's zero time alike, as "not known yet".
 */
export function postableAlertsJSON(alerts: readonly QueuedAlert[]): string {
  const parts: string[] = [];
  for (const a of alerts) {
    let s = "{";
    if (a.annotations.length > 0) s += `"annotations":${labelSetJSON(a.annotations)},`;
    if (a.endsAt !== 0) s += `"endsAt":"${formatAlertTime(a.endsAt)}",`;
    s += `"startsAt":"${formatAlertTime(a.startsAt)}",`;
    if (a.generatorURL !== "") s += `"generatorURL":${goString(a.generatorURL)},`;
    s += `"labels":${labelSetJSON(a.labels)}}`;
    parts.push(s);
  }
  return `[${parts.join(",")}]`;
}

/** strfmt.DateTime's format, 2006-01-02T15:04:05.000Z07:00, for a UTC time. */
export function formatAlertTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Labels are sorted by name already, which is also Go's order for map keys. */
function labelSetJSON(ls: Labels): string {
  let s = "{";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) s += ",";
    s += `${goString(l.name)}:${goString(l.value)}`;
  }
  return s + "}";
}

const GO_HTML_ESCAPES = /[<>&\u2028\u2029]/g;

/** encoding/json's string form: JSON.stringify's, plus the HTML-safe escapes. */
function goString(v: string): string {
  return JSON.stringify(v).replace(GO_HTML_ESCAPES, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
