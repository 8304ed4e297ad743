/** Durations and times as the Prometheus UI shows them. */

const UNITS: ReadonlyArray<readonly [string, number, boolean]> = [
  // Years and weeks only when they divide the rest exactly: "90d" reads better than "12w6d".
  ["y", 365 * 24 * 3600_000, true],
  ["w", 7 * 24 * 3600_000, true],
  ["d", 24 * 3600_000, false],
  ["h", 3600_000, false],
  ["m", 60_000, false],
  ["s", 1000, false],
  ["ms", 1, false],
];

/** "1d 2h 3m 4.567s", "850ms", "0s": for people, with fractional seconds. */
export function humanizeDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [unit, size, exact] of UNITS) {
    if (exact && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (unit === "s" && n > 0 && rest - n * size > 0) {
      parts.push(`${Number((rest / 1000).toFixed(3))}s`);
      rest = 0;
      break;
    }
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    }
  }
  // Below a millisecond (sub-ms scrape durations) the rounded figure still says something.
  if (parts.length === 0) parts.push(rest >= 0.001 ? `${Number(rest.toPrecision(3))}ms` : "0s");
  return sign + parts.join(" ");
}

/** "3.21s ago", or "never" for a zero time (Go's zero time, or no scrape yet). */
export function relativeTime(thenMs: number, nowMs: number): string {
  if (!Number.isFinite(thenMs) || thenMs <= 0) return "never";
  const d = nowMs - thenMs;
  return d >= 0 ? `${humanizeDuration(d)} ago` : `in ${humanizeDuration(-d)}`;
}

/** An API timestamp (RFC 3339; Go's zero time 0001-01-01T00:00:00Z) in ms, 0 for never. */
export function parseApiTime(s: string | undefined): number {
  if (s === undefined || s === "" || s.startsWith("0001-01-01")) return 0;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** "2026-11-21 10:00:00" in UTC: the form Prometheus puts in URLs (end_input). */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = d.getUTCMilliseconds();
  return frac === 0 ? base : `${base}.${pad(frac, 3)}`;
}

export class TimeInputError extends Error {}

/** A time typed by a person or found in a URL: "2026-11-21 10:00:00" (UTC, seconds and
 * fraction optional), RFC 3339 with a zone, or unix seconds. */
export function parseTimeInput(text: string): number {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m === null) throw new TimeInputError(`cannot parse "${text}" as a time (use YYYY-MM-DD HH:MM:SS in UTC, RFC 3339 or unix seconds)`);
  const [, y, mo, d, hh = "0", mi = "0", ss = "0", frac = "", zone] = m;
  const ms = Number(frac.padEnd(3, "0").slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mi), Number(ss), ms);
  const check = new Date(t);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) {
    throw new TimeInputError(`"${text}" is not a valid date and time`);
  }
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

/** A time axis label in UTC, as precise as the tick spacing (in seconds) needs:
 * "10:30" within a day (with the date at midnight), "10:30:15" below a minute,
 * "2026-11-21" for ticks a day or more apart. */
export function formatTimeTick(seconds: number, incrSeconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  if (incrSeconds >= 86400) return iso.slice(0, 10);
  if (incrSeconds < 60) return iso.slice(11, 19);
  return iso.slice(11, 16) === "00:00" ? `${iso.slice(5, 10)} 00:00` : iso.slice(11, 16);
}
