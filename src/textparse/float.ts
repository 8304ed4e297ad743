// Number syntax and printing of the exposition formats. Prometheus parses with Go's
// strconv.ParseFloat (minus hex and underscore forms) and prints with Go's shortest
// 'g' format; both differ from JavaScript's Number()/String(), so they live here.

const C_0 = 48;
const C_9 = 57;
const C_PLUS = 43;
const C_MINUS = 45;
const C_DOT = 46;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

/** Parses a float as Prometheus accepts it: decimal with optional exponent, or
 * Inf/Infinity (any case, optional sign) or NaN (any case, no sign). Returns
 * undefined for anything else, including finite-looking values that overflow, which
 * Go reports as a range error. */
export function parseGoFloat(s: string): number | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === C_PLUS || c === C_MINUS) {
    i = 1;
    c = s.charCodeAt(1);
  }
  const lower = c | 0x20;
  if (lower === 0x69 /* i */) {
    const rest = s.slice(i).toLowerCase();
    if (rest !== "inf" && rest !== "infinity") return undefined;
    return s.charCodeAt(0) === C_MINUS ? -Infinity : Infinity;
  }
  if (lower === 0x6e /* n */) {
    return i === 0 && n === 3 && s.toLowerCase() === "nan" ? NaN : undefined;
  }
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) === C_DOT) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  if (i < n && (s.charCodeAt(i) | 0x20) === 0x65 /* e */) {
    i++;
    c = s.charCodeAt(i);
    if (c === C_PLUS || c === C_MINUS) i++;
    let expDigits = 0;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      expDigits++;
    }
    if (expDigits === 0) return undefined;
  }
  if (i !== n) return undefined;
  // The grammar checked above is a subset of what Number() accepts, so Number()
  // only does the (correctly rounded) conversion.
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Parses a text-format timestamp: a base-10 int64 (Go's strconv.ParseInt). */
export function parseGoInt64(s: string): number | undefined {
  const n = s.length;
  let i = 0;
  const c = s.charCodeAt(0);
  if (c === C_PLUS || c === C_MINUS) i = 1;
  if (i === n) return undefined;
  for (let j = i; j < n; j++) if (!isDigit(s.charCodeAt(j))) return undefined;
  // Only 19+ digit numbers can leave the int64 range; check those exactly.
  if (n - i >= 19) {
    const big = BigInt(s.charCodeAt(0) === C_PLUS ? s.slice(1) : s);
    if (big > INT64_MAX || big < INT64_MIN) return undefined;
  }
  return Number(s);
}

/** OpenMetrics timestamps are seconds. Prometheus truncates seconds*1000 to an
 * integer; doing that naively turns 1520879607.789 into ...788 whenever the decimal
 * is not exact in binary, so a product within a microsecond of an integer snaps to
 * it, and only genuinely sub-millisecond timestamps are truncated. */
export function secondsToMillis(seconds: number): number {
  const t = seconds * 1000;
  const r = Math.round(t);
  return Math.abs(t - r) < 1e-3 ? r : Math.trunc(t);
}

/** Prints integer milliseconds as exact decimal seconds ("1520879607.789"), which
 * secondsToMillis reads back unchanged. */
export function formatMillisAsSeconds(ms: number): string {
  if (!Number.isInteger(ms)) return formatExpositionFloat(ms / 1000);
  const abs = Math.abs(ms);
  const frac = abs % 1000;
  let s = (ms < 0 ? "-" : "") + String((abs - frac) / 1000);
  if (frac !== 0) s += "." + String(frac).padStart(3, "0").replace(/0+$/, "");
  return s;
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64) as client_golang's text writer uses it:
 * shortest round-trip digits, exponent form when the decimal exponent is below -4 or
 * at least 6 ("1.740552e+06"). Every Go exporter and Prometheus' /federate print
 * values this way, so output compares byte for byte with theirs. (The model's
 * formatFloat is the JSON API's 'f' form and would print "1740552".) */
export function formatExpositionFloat(v: number): string {
  if (v !== v) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  // Go's text writer prints 0 for both zeros.
  if (v === 0) return "0";
  const e = v.toExponential(); // shortest digits, e.g. "-1.5e+7"
  const at = e.indexOf("e");
  const exp = Number(e.slice(at + 1));
  if (exp >= -4 && exp < 6) return String(v);
  const mant = e.slice(0, at);
  const sign = exp < 0 ? "-" : "+";
  const digits = String(Math.abs(exp));
  return mant + "e" + sign + (digits.length < 2 ? "0" + digits : digits);
}

/** OpenMetrics' canonical float: like Go's 'g' but integers keep a ".0" so that a
 * value always reads as a float ("1.0", "1e+06"). Prometheus also uses this form to
 * normalise histogram `le` and summary `quantile` label values. */
export function formatOpenMetricsFloat(v: number): string {
  const s = formatExpositionFloat(v);
  if (!Number.isFinite(v)) return s;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === C_DOT || c === 0x65) return s;
  }
  return s + ".0";
}
