/**
 * model.ParseDurationAllowNegative from prometheus/common, behind the `parseDuration`
 * template function: units y w d h m s ms, largest first, no fractions, at most ~292 years.
 */
import { FuncError } from "./errors.js";
import { quote } from "../../model/quote.js";

const UNITS: Record<string, { pos: number; mult: bigint }> = {
  ms: { pos: 7, mult: 1_000_000n },
  s: { pos: 6, mult: 1_000_000_000n },
  m: { pos: 5, mult: 60n * 1_000_000_000n },
  h: { pos: 4, mult: 3600n * 1_000_000_000n },
  d: { pos: 3, mult: 24n * 3600n * 1_000_000_000n },
  w: { pos: 2, mult: 7n * 24n * 3600n * 1_000_000_000n },
  y: { pos: 1, mult: 365n * 24n * 3600n * 1_000_000_000n },
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** Nanoseconds of a Prometheus duration string. */
export function parsePromDuration(s: string): bigint {
  if (s === "0") return 0n;
  if (s === "") throw new FuncError("empty duration string");
  const orig = s;
  const invalid = (): never => {
    throw new FuncError(`not a valid duration string: ${quote(orig)}`);
  };
  let dur = 0n;
  let lastUnitPos = 0;
  while (s !== "") {
    if (!isDigit(s[0])) invalid();
    let i = 0;
    while (i < s.length && isDigit(s[i])) i++;
    const v = BigInt(s.slice(0, i));
    if (v >= 1n << 64n) invalid();
    s = s.slice(i);
    i = 0;
    while (i < s.length && !isDigit(s[i])) i++;
    if (i === 0) invalid();
    const u = s.slice(0, i);
    s = s.slice(i);
    const unit = Object.hasOwn(UNITS, u) ? UNITS[u] : undefined;
    if (unit === undefined) throw new FuncError(`unknown unit ${quote(u)} in duration ${quote(orig)}`);
    if (unit.pos <= lastUnitPos) invalid();
    lastUnitPos = unit.pos;
    if (v > (1n << 63n) / unit.mult) throw new FuncError("duration out of range");
    dur += v * unit.mult;
    if (dur > (1n << 63n) - 1n) throw new FuncError("duration out of range");
  }
  return dur;
}

export function parseDurationAllowNegative(s: string): bigint {
  if (s === "" || s[0] !== "-") return parsePromDuration(s);
  return -parsePromDuration(s.slice(1));
}
