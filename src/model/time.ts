/** Timestamps are integer milliseconds since the epoch throughout edgeprom, as in
 * Prometheus' storage. */

export class TimeParseError extends Error {}

const UNITS: Record<string, number> = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses a Prometheus duration (`1h30m`, `15s`, `0`) into milliseconds. */
export function parseDuration(s: string): number {
  if (s === "") throw new TimeParseError("empty duration string");
  if (s === "0") return 0;
  const m = DURATION_RE.exec(s);
  if (!m) throw new TimeParseError(`not a valid duration string: ${JSON.stringify(s)}`);
  const order = ["y", "w", "d", "h", "m", "s", "ms"];
  let total = 0;
  for (let i = 0; i < order.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) total += Number(g) * UNITS[order[i]!]!;
  }
  return total;
}

/** Prometheus' model.Duration.String(): `1h30m`, `15s`, `0s`, with years and weeks
 * only when they divide the duration exactly (8 days print as `8d`, 14 as `2w`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  let out = "";
  for (const [unit, exact] of FORMAT_ORDER) {
    const size = UNITS[unit]!;
    if (exact && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return sign + out;
}

const FORMAT_ORDER: ReadonlyArray<readonly [string, boolean]> = [
  ["y", true],
  ["w", true],
  ["d", false],
  ["h", false],
  ["m", false],
  ["s", false],
  ["ms", false],
];

/** Parses an API time parameter: unix seconds (float) or RFC3339. */
export function parseTime(s: string): number {
  const f = Number(s);
  if (s.trim() !== "" && Number.isFinite(f)) return Math.round(f * 1000);
  const d = Date.parse(s);
  if (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(d)) return d;
  throw new TimeParseError(`cannot parse "${s}" to a valid timestamp`);
}

/** Parses an API duration parameter: a Prometheus duration or float seconds. */
export function parseDurationParam(s: string): number {
  const f = Number(s);
  if (s.trim() !== "" && Number.isFinite(f)) return Math.round(f * 1000);
  try {
    return parseDuration(s);
  } catch {
    throw new TimeParseError(`cannot parse "${s}" to a valid duration`);
  }
}
