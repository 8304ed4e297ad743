/**
 * Prometheus' humanize family and the conversions behind it (template/template.go and
 * prometheus/common helpers/templates): humanize(1234567) = "1.235M",
 * humanizeDuration(90061) = "1d 1h 1m 1s", humanizeTimestamp(0) =
 * "1970-01-01 00:00:00 +0000 UTC".
 */
import { FuncError } from "./errors.js";
import { concrete, sprint, sprintf } from "./fmt.js";
import { DURATION, timeString } from "./gotime.js";
import { parseFloat64 } from "./strconv.js";
import { FLOAT64, GoValue, type Value } from "./values.js";

const MIN_INT64 = -(1n << 63n);

/** ConvertToFloat: float64, string, int, uint, int64, uint64 and time.Duration. */
export function convertToFloat(i: Value): number {
  const v = concrete(i);
  if (v !== null) {
    switch (v.type.name) {
      case "float64":
        return v.v as number;
      case "string":
        try {
          return parseFloat64(v.v as string);
        } catch (e) {
          throw new FuncError((e as Error).message);
        }
      case "int":
      case "uint":
      case "int64":
      case "uint64":
        return Number(v.v as bigint);
    }
    if (v.type === DURATION) {
      const d = v.v as bigint;
      return Number(d / 1_000_000_000n) + Number(d % 1_000_000_000n) / 1e9;
    }
  }
  throw new FuncError(`can't convert ${v === null ? "<nil>" : v.type.name} to float`);
}

const g4 = (v: number, suffix = ""): string => sprintf("%.4g", [new GoValue(FLOAT64, v)]) + suffix;

export function humanize(v: number): string {
  if (v === 0 || Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let prefix = "";
    for (const p of ["k", "M", "G", "T", "P", "E", "Z", "Y"]) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return g4(v, prefix);
  }
  let prefix = "";
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v, prefix);
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  let prefix = "";
  for (const p of ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v, prefix);
}

/** Go's int64(f) on amd64: truncation, and the "integer indefinite" value when out of range. */
export function goInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

export function humanizeDuration(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v, "s");
  if (Math.abs(v) >= 1) {
    let sign = "";
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    const duration = goInt64(v);
    const seconds = duration % 60n;
    const minutes = (duration / 60n) % 60n;
    const hours = (duration / 60n / 60n) % 24n;
    const days = duration / 60n / 60n / 24n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return sign + g4(v, "s");
  }
  let prefix = "";
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return g4(v, prefix + "s");
}

export function humanizePercentage(v: number): string {
  return g4(v * 100, "%");
}

class NaNOrInf extends Error {}

/** FloatToTime: seconds to a UTC time with millisecond precision, as model.Time keeps it. */
export function floatToTimeNs(v: number): bigint {
  if (Number.isNaN(v) || !Number.isFinite(v)) throw new NaNOrInf("value is NaN or Inf");
  const timestamp = v * 1e9;
  if (timestamp > 2 ** 63 - 1 || timestamp < -(2 ** 63)) {
    throw new FuncError(`${sprint([new GoValue(FLOAT64, v)])} cannot be represented as a nanoseconds timestamp since it overflows int64`);
  }
  const ms = goInt64(timestamp) / 1_000_000n;
  return ms * 1_000_000n;
}

export function humanizeTimestamp(v: number): string {
  try {
    return timeString(floatToTimeNs(v));
  } catch (e) {
    if (e instanceof NaNOrInf) return g4(v);
    throw e;
  }
}

export function toTimeNs(v: number): bigint {
  try {
    return floatToTimeNs(v);
  } catch (e) {
    if (e instanceof NaNOrInf) throw new FuncError(e.message);
    throw e;
  }
}
