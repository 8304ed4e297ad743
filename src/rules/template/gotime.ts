/**
 * Go's time.Time, time.Duration, time.Month and time.Weekday as templates see them:
 * toTime and toDuration return pointers to these, and templates call their methods
 * (`(toTime $value).Format "2006-01-02"`, `.Add`, `.UnixMilli`, `(toDuration 90).String`).
 * Times produced here are UTC, which is also the local zone of a Worker.
 */
import {
  BOOL,
  FLOAT64,
  GoType,
  GoValue,
  INT,
  INT64,
  STRING,
  type GoMethod,
  ptrTo,
} from "./values.js";

/** A Time value: nanoseconds since the Unix epoch, UTC. */
export interface TimeValue {
  readonly ns: bigint;
}

export const TIME = new GoType("struct", "time.Time", true, "struct { wall uint64; ext int64; loc *time.Location }");
export const DURATION = new GoType("int64", "time.Duration", true, "int64");
export const MONTH = new GoType("int", "time.Month", true, "int");
export const WEEKDAY = new GoType("int", "time.Weekday", true, "int");

const NS_PER_SECOND = 1_000_000_000n;
const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;
/** Seconds from 0001-01-01 (Go's zero Time) to the Unix epoch. */
const ZERO_TO_UNIX = 62135596800n;

export function timeValue(ns: bigint): GoValue {
  return new GoValue(TIME, { ns } satisfies TimeValue);
}

export function durationValue(ns: bigint): GoValue {
  return new GoValue(DURATION, ns);
}

export const timePtr = (ns: bigint): GoValue => ptrTo(timeValue(ns));
export const durationPtr = (ns: bigint): GoValue => ptrTo(durationValue(ns));

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function floorMod(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
}

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  weekday: number;
  yday: number;
}

/** Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm). */
function civilFromDays(z0: bigint): { y: bigint; m: number; d: number } {
  const z = z0 + 719468n;
  const era = floorDiv(z, 146097n);
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const y = yoe + era * 400n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = Number(doy - (153n * mp + 2n) / 5n + 1n);
  const m = Number(mp < 10n ? mp + 3n : mp - 9n);
  return { y: m <= 2 ? y + 1n : y, m, d };
}

function daysFromCivil(y0: bigint, m: number, d: number): bigint {
  const y = m <= 2 ? y0 - 1n : y0;
  const era = floorDiv(y, 400n);
  const yoe = y - era * 400n;
  const mm = BigInt(m);
  const doy = (153n * (mm > 2n ? mm - 3n : mm + 9n) + 2n) / 5n + BigInt(d) - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146097n + doe - 719468n;
}

export function civil(ns: bigint): Civil {
  const sec = floorDiv(ns, NS_PER_SECOND);
  const nanosecond = Number(floorMod(ns, NS_PER_SECOND));
  const days = floorDiv(sec, 86400n);
  const sod = Number(floorMod(sec, 86400n));
  const { y, m, d } = civilFromDays(days);
  const yday = Number(days - daysFromCivil(y, 1, 1)) + 1;
  return {
    year: Number(y),
    month: m,
    day: d,
    hour: Math.floor(sod / 3600),
    minute: Math.floor(sod / 60) % 60,
    second: sod % 60,
    nanosecond,
    weekday: Number(floorMod(days + 4n, 7n)),
    yday,
  };
}

// --- Format ---

function pad(n: number, width: number): string {
  if (n < 0) return "-" + pad(-n, width);
  return String(n).padStart(width, "0");
}

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && s[i]! >= "0" && s[i]! <= "9";
}

function startsWithLower(s: string): boolean {
  return s.length > 0 && s[0]! >= "a" && s[0]! <= "z";
}

type Chunk = { prefix: string; std: string; n?: number; sep?: string; suffix: string } | null;

const STD0X = ["01", "02", "03", "04", "05", "06"];

/** nextStdChunk in Go's time/format.go: the next layout element and the text around it. */
function nextStdChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const at = (s: string): boolean => layout.startsWith(s, i);
    const chunk = (std: string, len: number): Chunk => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(i + len) });
    switch (c) {
      case "J":
        if (at("Jan")) {
          if (at("January")) return chunk("January", 7);
          if (!startsWithLower(layout.slice(i + 3))) return chunk("Jan", 3);
        }
        break;
      case "M":
        if (at("Mon")) {
          if (at("Monday")) return chunk("Monday", 6);
          if (!startsWithLower(layout.slice(i + 3))) return chunk("Mon", 3);
        }
        if (at("MST")) return chunk("MST", 3);
        break;
      case "0":
        if (i + 1 < layout.length && layout[i + 1]! >= "1" && layout[i + 1]! <= "6") return chunk(STD0X[Number(layout[i + 1]) - 1]!, 2);
        if (at("002")) return chunk("002", 3);
        break;
      case "1":
        if (at("15")) return chunk("15", 2);
        return chunk("1", 1);
      case "2":
        if (at("2006")) return chunk("2006", 4);
        return chunk("2", 1);
      case "_":
        if (at("_2")) {
          if (at("_2006")) return { prefix: layout.slice(0, i + 1), std: "2006", suffix: layout.slice(i + 5) };
          return chunk("_2", 2);
        }
        if (at("__2")) return chunk("__2", 3);
        break;
      case "3":
      case "4":
      case "5":
        return chunk(c, 1);
      case "P":
        if (at("PM")) return chunk("PM", 2);
        break;
      case "p":
        if (at("pm")) return chunk("pm", 2);
        break;
      case "-":
        for (const z of ["-070000", "-07:00:00", "-0700", "-07:00", "-07"]) if (at(z)) return chunk(z, z.length);
        break;
      case "Z":
        for (const z of ["Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"]) if (at(z)) return chunk(z, z.length);
        break;
      case ".":
      case ",":
        if (i + 1 < layout.length && (layout[i + 1] === "0" || layout[i + 1] === "9")) {
          const ch = layout[i + 1]!;
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return { prefix: layout.slice(0, i), std: ch === "0" ? "frac0" : "frac9", n: j - (i + 1), sep: c, suffix: layout.slice(j) };
          }
        }
        break;
    }
  }
  return null;
}

/** time.Time.Format for a UTC time. */
export function formatTime(ns: bigint, layout: string): string {
  const t = civil(ns);
  let out = "";
  let rest = layout;
  for (;;) {
    const ch = nextStdChunk(rest);
    if (ch === null) return out + rest;
    out += ch.prefix;
    rest = ch.suffix;
    switch (ch.std) {
      case "06":
        out += pad(((t.year % 100) + 100) % 100, 2);
        break;
      case "2006":
        out += pad(t.year, 4);
        break;
      case "Jan":
        out += MONTHS[t.month - 1]!.slice(0, 3);
        break;
      case "January":
        out += MONTHS[t.month - 1];
        break;
      case "1":
        out += t.month;
        break;
      case "01":
        out += pad(t.month, 2);
        break;
      case "Mon":
        out += DAYS[t.weekday]!.slice(0, 3);
        break;
      case "Monday":
        out += DAYS[t.weekday];
        break;
      case "2":
        out += t.day;
        break;
      case "_2":
        out += (t.day < 10 ? " " : "") + t.day;
        break;
      case "02":
        out += pad(t.day, 2);
        break;
      case "__2":
        out += (t.yday < 100 ? " " : "") + (t.yday < 10 ? " " : "") + t.yday;
        break;
      case "002":
        out += pad(t.yday, 3);
        break;
      case "15":
        out += pad(t.hour, 2);
        break;
      case "3":
        out += t.hour % 12 === 0 ? 12 : t.hour % 12;
        break;
      case "03":
        out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2);
        break;
      case "4":
        out += t.minute;
        break;
      case "04":
        out += pad(t.minute, 2);
        break;
      case "5":
        out += t.second;
        break;
      case "05":
        out += pad(t.second, 2);
        break;
      case "PM":
        out += t.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += t.hour >= 12 ? "pm" : "am";
        break;
      case "Z070000":
      case "Z07:00:00":
      case "Z0700":
      case "Z07:00":
      case "Z07":
        out += "Z";
        break;
      case "-070000":
        out += "+000000";
        break;
      case "-07:00:00":
        out += "+00:00:00";
        break;
      case "-0700":
        out += "+0000";
        break;
      case "-07:00":
        out += "+00:00";
        break;
      case "-07":
        out += "+00";
        break;
      case "MST":
        out += "UTC";
        break;
      case "frac0":
      case "frac9": {
        const n = ch.n!;
        if (ch.std === "frac9" && (n === 0 || t.nanosecond === 0)) break;
        let digits = pad(t.nanosecond, 9);
        if (n < 9) digits = digits.slice(0, n);
        let s = ch.sep! + digits;
        if (ch.std === "frac9") {
          s = s.replace(/0+$/, "");
          if (s === ch.sep) s = "";
        }
        out += s;
        break;
      }
    }
  }
}

/** time.Time.String(). */
export function timeString(ns: bigint): string {
  return formatTime(ns, "2006-01-02 15:04:05.999999999 -0700 MST");
}

// --- Duration ---

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let s = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) s = String(digit) + s;
    v /= 10n;
  }
  if (print) s = "." + s;
  return [s, v];
}

/** time.Duration.String(): "1h30m0s", "1.5s", "250ms", "0s". */
export function durationString(d: bigint): string {
  let u = d < 0n ? -d : d;
  const neg = d < 0n;
  let out: string;
  if (u < NS_PER_SECOND) {
    let prec: number;
    let unit: string;
    if (u === 0n) return "0s";
    if (u < 1000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = "\u00b5s";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [frac, rest] = fmtFrac(u, prec);
    out = String(rest) + frac + unit;
  } else {
    const [frac, secs] = fmtFrac(u, 9);
    u = secs;
    out = String(u % 60n) + frac + "s";
    u /= 60n;
    if (u > 0n) {
      out = String(u % 60n) + "m" + out;
      u /= 60n;
      if (u > 0n) out = String(u) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

function durationRound(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    const d1 = d - m + r;
    return d1 < d ? d1 : MIN_INT64;
  }
  if (r + r < m) return d - r;
  const d1 = d + m - r;
  return d1 > d ? d1 : MAX_INT64;
}

function saturate(x: bigint): bigint {
  return x > MAX_INT64 ? MAX_INT64 : x < MIN_INT64 ? MIN_INT64 : x;
}

function toFloatUnits(d: bigint, unit: bigint): number {
  const whole = d / unit;
  const rest = d % unit;
  return Number(whole) + Number(rest) / Number(unit);
}

function method(params: GoType[], result: GoType, call: GoMethod["call"]): GoMethod {
  return { params, result, call };
}

const dur = (v: GoValue): bigint => v.v as bigint;
const tns = (v: GoValue): bigint => (v.v as TimeValue).ns;

DURATION.methods
  .set("String", method([], STRING, (r) => new GoValue(STRING, durationString(dur(r)))))
  .set("Hours", method([], FLOAT64, (r) => new GoValue(FLOAT64, toFloatUnits(dur(r), 3600n * NS_PER_SECOND))))
  .set("Minutes", method([], FLOAT64, (r) => new GoValue(FLOAT64, toFloatUnits(dur(r), 60n * NS_PER_SECOND))))
  .set("Seconds", method([], FLOAT64, (r) => new GoValue(FLOAT64, toFloatUnits(dur(r), NS_PER_SECOND))))
  .set("Milliseconds", method([], INT64, (r) => new GoValue(INT64, dur(r) / 1_000_000n)))
  .set("Microseconds", method([], INT64, (r) => new GoValue(INT64, dur(r) / 1000n)))
  .set("Nanoseconds", method([], INT64, (r) => new GoValue(INT64, dur(r))))
  .set("Round", method([DURATION], DURATION, (r, [m]) => durationValue(durationRound(dur(r), dur(m!)))))
  .set("Truncate", method([DURATION], DURATION, (r, [m]) => durationValue(dur(m!) <= 0n ? dur(r) : dur(r) - (dur(r) % dur(m!)))))
  .set("Abs", method([], DURATION, (r) => durationValue(dur(r) >= 0n ? dur(r) : dur(r) === MIN_INT64 ? MAX_INT64 : -dur(r))));

MONTH.methods.set(
  "String",
  method([], STRING, (r) => {
    const m = Number(r.v as bigint);
    return new GoValue(STRING, m >= 1 && m <= 12 ? MONTHS[m - 1]! : `%!Month(${m})`);
  }),
);

WEEKDAY.methods.set(
  "String",
  method([], STRING, (r) => {
    const d = Number(r.v as bigint);
    return new GoValue(STRING, d >= 0 && d <= 6 ? DAYS[d]! : `%!Weekday(${d})`);
  }),
);

const int = (n: number | bigint): GoValue => new GoValue(INT, BigInt(n));
const int64 = (n: bigint): GoValue => new GoValue(INT64, n);
const sinceZero = (ns: bigint): bigint => ns + ZERO_TO_UNIX * NS_PER_SECOND;

function addDate(ns: bigint, years: bigint, months: bigint, days: bigint): bigint {
  const t = civil(ns);
  const totalMonths = BigInt(t.year) * 12n + BigInt(t.month - 1) + years * 12n + months;
  const y = floorDiv(totalMonths, 12n);
  const m = Number(floorMod(totalMonths, 12n)) + 1;
  const dayNumber = daysFromCivil(y, m, 1) + BigInt(t.day - 1) + days;
  const sod = BigInt(t.hour * 3600 + t.minute * 60 + t.second);
  return (dayNumber * 86400n + sod) * NS_PER_SECOND + BigInt(t.nanosecond);
}

TIME.methods
  .set("String", method([], STRING, (r) => new GoValue(STRING, timeString(tns(r)))))
  .set("Format", method([STRING], STRING, (r, [l]) => new GoValue(STRING, formatTime(tns(r), l!.v as string))))
  .set("Add", method([DURATION], TIME, (r, [d]) => timeValue(tns(r) + dur(d!))))
  .set("AddDate", method([INT, INT, INT], TIME, (r, [y, m, d]) => timeValue(addDate(tns(r), dur(y!), dur(m!), dur(d!)))))
  .set("Sub", method([TIME], DURATION, (r, [u]) => durationValue(saturate(tns(r) - tns(u!)))))
  .set("After", method([TIME], BOOL, (r, [u]) => new GoValue(BOOL, tns(r) > tns(u!))))
  .set("Before", method([TIME], BOOL, (r, [u]) => new GoValue(BOOL, tns(r) < tns(u!))))
  .set("Equal", method([TIME], BOOL, (r, [u]) => new GoValue(BOOL, tns(r) === tns(u!))))
  .set("Compare", method([TIME], INT, (r, [u]) => int(tns(r) < tns(u!) ? -1 : tns(r) > tns(u!) ? 1 : 0)))
  .set("IsZero", method([], BOOL, (r) => new GoValue(BOOL, sinceZero(tns(r)) === 0n)))
  .set("Year", method([], INT, (r) => int(civil(tns(r)).year)))
  .set("Month", method([], MONTH, (r) => new GoValue(MONTH, BigInt(civil(tns(r)).month))))
  .set("Day", method([], INT, (r) => int(civil(tns(r)).day)))
  .set("Hour", method([], INT, (r) => int(civil(tns(r)).hour)))
  .set("Minute", method([], INT, (r) => int(civil(tns(r)).minute)))
  .set("Second", method([], INT, (r) => int(civil(tns(r)).second)))
  .set("Nanosecond", method([], INT, (r) => int(civil(tns(r)).nanosecond)))
  .set("YearDay", method([], INT, (r) => int(civil(tns(r)).yday)))
  .set("Weekday", method([], WEEKDAY, (r) => new GoValue(WEEKDAY, BigInt(civil(tns(r)).weekday))))
  .set("UTC", method([], TIME, (r) => timeValue(tns(r))))
  .set("Local", method([], TIME, (r) => timeValue(tns(r))))
  .set("Unix", method([], INT64, (r) => int64(floorDiv(tns(r), NS_PER_SECOND))))
  .set("UnixMilli", method([], INT64, (r) => int64(floorDiv(tns(r), 1_000_000n))))
  .set("UnixMicro", method([], INT64, (r) => int64(floorDiv(tns(r), 1000n))))
  .set("UnixNano", method([], INT64, (r) => int64(BigInt.asIntN(64, tns(r)))))
  .set(
    "Truncate",
    method([DURATION], TIME, (r, [d]) => {
      const m = dur(d!);
      if (m <= 0n) return timeValue(tns(r));
      return timeValue(tns(r) - floorMod(sinceZero(tns(r)), m));
    }),
  )
  .set(
    "Round",
    method([DURATION], TIME, (r, [d]) => {
      const m = dur(d!);
      if (m <= 0n) return timeValue(tns(r));
      const rem = floorMod(sinceZero(tns(r)), m);
      return timeValue(rem + rem < m ? tns(r) - rem : tns(r) + (m - rem));
    }),
  );
