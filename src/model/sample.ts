/** Prometheus' staleness marker: a NaN with a specific bit pattern
 * (0x7ff0000000000002) that ordinary arithmetic never produces. */
export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;

const buf = new DataView(new ArrayBuffer(8));

export const STALE_NAN: number = (() => {
  buf.setUint32(0, STALE_NAN_BITS_HI);
  buf.setUint32(4, STALE_NAN_BITS_LO);
  return buf.getFloat64(0);
})();

/** True for the staleness marker. V8 sets the quiet bit of a signalling NaN stored in
 * a plain JS array (0x7ff0... becomes 0x7ff8...), so the quiet bit is ignored here;
 * storage writes the canonical pattern back. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  buf.setFloat64(0, v);
  return (buf.getUint32(0) & ~0x00080000) === STALE_NAN_BITS_HI && buf.getUint32(4) === STALE_NAN_BITS_LO;
}

/** A float sample: timestamp in milliseconds since the epoch, value. */
export interface Sample {
  t: number;
  v: number;
}

/** Formats a float as Go's strconv.FormatFloat(v, 'f', -1, 64), which Prometheus'
 * JSON API and count_values use: the shortest digits that round-trip, never an
 * exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Object.is(v, -0)) return "-0";
  const s = String(v);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const neg = s.startsWith("-");
  const mant = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mant.indexOf(".");
  const digits = mant.replace(".", "");
  const intLen = (dot < 0 ? mant.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = "0." + "0".repeat(-intLen) + digits;
  else if (intLen >= digits.length) out = digits + "0".repeat(intLen - digits.length);
  else out = digits.slice(0, intLen) + "." + digits.slice(intLen);
  return (neg ? "-" : "") + out;
}
