import { xxhash64 } from "./xxhash64.js";

/** When a group evaluates. Prometheus spreads groups over their interval by a hash
 * of (file, name), so that groups with the same interval do not all query at once;
 * every evaluation of a group then falls on the same slot within the interval.
 * edgeprom uses the same hash, so a group keeps its slot across restarts. */

const UTF8 = new TextEncoder();
const NS_PER_MS = 1_000_000n;

/** labels.Hash of {file=<file>, name=<name>}: names and values in label order, each
 * followed by the byte 0xff. */
function groupHash(file: string, name: string): bigint {
  const parts = [UTF8.encode("file"), UTF8.encode(file), UTF8.encode("name"), UTF8.encode(name)];
  const buf = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
    buf[o++] = 0xff;
  }
  return xxhash64(buf);
}

/** The group's slot offset within its interval, in nanoseconds, as Prometheus'
 * `hash % interval`. */
export function slotOffsetNs(file: string, name: string, intervalMs: number): bigint {
  return groupHash(file, name) % (BigInt(intervalMs) * NS_PER_MS);
}

/** The latest slot at or before `startMs` (Prometheus' Group.EvalTimestamp), in ms.
 * A millisecond time stands for the whole millisecond, so a slot (kept in ms, its
 * nanoseconds truncated like every Prometheus sample time) is at or before itself. */
export function slotAtOrBefore(startMs: number, intervalMs: number, offsetNs: bigint): number {
  const interval = BigInt(intervalMs) * NS_PER_MS;
  const adj = BigInt(Math.floor(startMs)) * NS_PER_MS + (NS_PER_MS - 1n) - offsetNs;
  // BigInt % keeps the dividend's sign; slots before 1970 still round down.
  let rem = adj % interval;
  if (rem < 0n) rem += interval;
  const ns = adj - rem + offsetNs;
  let ms = ns / NS_PER_MS;
  if (ns < 0n && ns % NS_PER_MS !== 0n) ms -= 1n;
  return Number(ms);
}
