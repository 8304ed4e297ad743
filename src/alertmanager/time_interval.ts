// Alertmanager's time intervals (`time_intervals:` / `mute_time_intervals:`): times of
// day, weekdays, days of month, months, years and a location; parsed with the rules and
// messages of its timeinterval package, and the test of whether an instant is inside.

export interface TimeInterval {
  /** Minutes of the day, [start, end). */
  times?: { start: number; end: number }[];
  /** 0 = Sunday. */
  weekdays?: { begin: number; end: number }[];
  /** 1..31 or -31..-1 (from the month's end). */
  daysOfMonth?: { begin: number; end: number }[];
  months?: { begin: number; end: number }[];
  years?: { begin: number; end: number }[];
  location?: string;
}

export class TimeIntervalError extends Error {}

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const TIME_RE = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;

function split(s: string, what: string): [string, string] {
  const parts = s.split(":");
  if (parts.length > 2) throw new TimeIntervalError(`invalid ${what} range: ${s}`);
  return [parts[0]!, parts.length === 2 ? parts[1]! : parts[0]!];
}

function goAtoi(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

export function parseTimeRange(start: string | undefined, end: string | undefined): { start: number; end: number } {
  if (start === undefined || end === undefined || start === "" || end === "") throw new TimeIntervalError("both start and end times must be provided");
  const mins = (s: string) => {
    if (!TIME_RE.test(s)) throw new TimeIntervalError(`couldn't parse timestamp ${s}, invalid format`);
    const [h, m] = s.split(":").map(Number) as [number, number];
    return h * 60 + m;
  };
  const r = { start: mins(start), end: mins(end) };
  if (r.start >= r.end) throw new TimeIntervalError("start time cannot be equal or greater than end time");
  return r;
}

export function parseWeekdayRange(s: string): { begin: number; end: number } {
  const [a, b] = split(s.toLowerCase(), "weekday");
  const day = (d: string) => {
    const i = DAYS.indexOf(d);
    if (i < 0) throw new TimeIntervalError(`${d} is not a valid weekday`);
    return i;
  };
  const r = { begin: day(a), end: day(b) };
  if (r.begin > r.end) throw new TimeIntervalError("start day cannot be before end day");
  return r;
}

export function parseDayOfMonthRange(s: string): { begin: number; end: number } {
  const [a, b] = split(s, "day of month");
  const day = (d: string) => {
    const n = goAtoi(d);
    if (n === undefined) throw new TimeIntervalError(`invalid day of month: ${d}`);
    if (n < -31 || n > 31 || n === 0) throw new TimeIntervalError(`${n} is not a valid day of the month: out of range`);
    return n;
  };
  const r = { begin: day(a), end: day(b) };
  // A positive start and a negative end are valid (1:-1 is every day); otherwise the
  // order of the indices as written must hold.
  if (r.begin > 0 && r.end > 0 && r.begin > r.end) throw new TimeIntervalError("start day cannot be after end day");
  if (r.begin < 0 && r.end > 0) throw new TimeIntervalError("end day must be negative if start day is negative");
  // Alertmanager 0.25 measures a negative end against a 28-day month.
  if (r.begin > 0 && r.end < 0 && 28 + r.end < r.begin) throw new TimeIntervalError(`end day ${r.end} is always before start day ${r.begin}`);
  if (r.begin < 0 && r.end < 0 && r.begin > r.end) throw new TimeIntervalError(`end day ${r.end} is always before start day ${r.begin}`);
  return r;
}

export function parseMonthRange(s: string): { begin: number; end: number } {
  const [a, b] = split(s.toLowerCase(), "month");
  const month = (m: string) => {
    const n = goAtoi(m);
    // Alertmanager 0.25 takes any integer here, unchecked.
    if (n !== undefined) return n;
    const i = MONTHS.indexOf(m);
    if (i < 0) throw new TimeIntervalError(`${m} is not a valid month`);
    return i + 1;
  };
  const r = { begin: month(a), end: month(b) };
  if (r.begin > r.end) throw new TimeIntervalError("end month is before start month");
  return r;
}

export function parseYearRange(s: string): { begin: number; end: number } {
  const [a, b] = split(s, "year");
  const year = (y: string) => {
    const n = goAtoi(y);
    if (n === undefined) throw new TimeIntervalError(`strconv.Atoi: parsing ${JSON.stringify(y)}: invalid syntax`);
    return n;
  };
  const r = { begin: year(a), end: year(b) };
  if (r.begin > r.end) throw new TimeIntervalError("end year cannot be before start year");
  return r;
}

export function checkLocation(name: string): void {
  if (name === "" || name === "UTC" || name === "Local") return;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
  } catch {
    throw new TimeIntervalError(`unknown time zone ${name}`);
  }
}

interface Civil {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minutes: number;
  daysInMonth: number;
}

function civilAt(ms: number, location: string | undefined): Civil {
  const tz = location === undefined || location === "" || location === "Local" ? "UTC" : location;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    weekday: "short",
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const year = Number(get("year"));
  const month = Number(get("month"));
  return {
    year,
    month,
    day: Number(get("day")),
    weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday")),
    minutes: Number(get("hour")) * 60 + Number(get("minute")),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

const within = (rs: { begin: number; end: number }[] | undefined, v: number) => rs === undefined || rs.some((r) => v >= r.begin && v <= r.end);

/** Whether the instant falls inside the interval (every given part must hold). */
export function intervalContains(ti: TimeInterval, ms: number): boolean {
  const c = civilAt(ms, ti.location);
  if (ti.times !== undefined && !ti.times.some((t) => c.minutes >= t.start && c.minutes < t.end)) return false;
  if (!within(ti.weekdays, c.weekday)) return false;
  if (ti.daysOfMonth !== undefined) {
    const ok = ti.daysOfMonth.some((r) => {
      const b = r.begin < 0 ? c.daysInMonth + r.begin + 1 : r.begin;
      const e = r.end < 0 ? c.daysInMonth + r.end + 1 : r.end;
      return c.day >= b && c.day <= Math.min(e, c.daysInMonth);
    });
    if (!ok) return false;
  }
  if (!within(ti.months, c.month)) return false;
  return within(ti.years, c.year);
}
