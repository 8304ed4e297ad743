/** Number syntax of the promqltest format. Prometheus reads numbers in test files
 * with Go's strconv: first as an integer with base prefixes (`0x1f`, `0o17`, `0b101`,
 * a leading `0` meaning octal, `_` between digits), then as a float (`1.5`, `1e3`,
 * `.5`, `Inf`, `infinity`, `NaN`, hex floats such as `0x1p-2`). JavaScript's Number()
 * differs in several of those (`010`, `inf`, the empty string), so both are spelled
 * out here. Every function returns null for text Go would reject. */

const INT_BASES: Record<string, number> = { x: 16, X: 16, o: 8, O: 8, b: 2, B: 2 };

function digitsRe(base: number): RegExp {
  switch (base) {
    case 16:
      return /^[0-9a-fA-F]$/;
    case 8:
      return /^[0-7]$/;
    case 2:
      return /^[01]$/;
    default:
      return /^[0-9]$/;
  }
}

/** Go's strconv.ParseInt(s, 0, 64) as a float64, or null (also when out of range). */
export function parseGoInt(s: string): number | null {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  let base = 10;
  let prefixed = false;
  if (s[i] === "0" && s.length > i + 1) {
    const p = s[i + 1]!;
    if (INT_BASES[p] !== undefined) {
      base = INT_BASES[p]!;
      i += 2;
      prefixed = true;
    } else {
      base = 8;
      i += 1;
      prefixed = true;
    }
  }
  const body = s.slice(i);
  if (!validUnderscores(body, prefixed)) return null;
  const digits = body.replace(/_/g, "");
  if (digits === "") {
    // "0x" alone is invalid; "0" followed by underscores only ("0_") is invalid too.
    if (base === 8 && prefixed && body === "") return neg ? -0 : 0;
    return null;
  }
  const re = digitsRe(base);
  let n = 0n;
  for (const c of digits) {
    if (!re.test(c)) return null;
    n = n * BigInt(base) + BigInt(parseInt(c, base));
  }
  if (neg) n = -n;
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return Number(n);
}

/** Go's rule for `_` in number literals: only between digits, or right after a base
 * prefix. */
function validUnderscores(body: string, afterPrefix: boolean): boolean {
  if (!body.includes("_")) return true;
  if (body.endsWith("_") || body.includes("__")) return false;
  if (body.startsWith("_") && !afterPrefix) return false;
  return true;
}

const DEC_FLOAT = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT = /^0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?\d+$/;

/** Go's strconv.ParseFloat(s, 64), or null. Out-of-range values become ±Inf (Go
 * reports an error there, but promqltest never writes such numbers). */
export function parseGoFloat(s: string): number | null {
  let i = 0;
  let sign = 1;
  if (s[0] === "+" || s[0] === "-") {
    sign = s[0] === "-" ? -1 : 1;
    i = 1;
  }
  const body = s.slice(i);
  const lower = body.toLowerCase();
  if (lower === "inf" || lower === "infinity") return sign * Infinity;
  if (lower === "nan") return i === 0 ? NaN : null; // Go takes no sign on NaN
  if (DEC_FLOAT.test(body)) return sign * Number(body);
  if (HEX_FLOAT.test(body)) {
    const m = /^0[xX]([0-9a-fA-F_]*)\.?([0-9a-fA-F_]*)[pP]([+-]?\d+)$/.exec(body)!;
    const intPart = m[1]!.replace(/_/g, "");
    const fracPart = m[2]!.replace(/_/g, "");
    if (intPart === "" && fracPart === "") return null;
    let mant = 0;
    for (const c of intPart) mant = mant * 16 + parseInt(c, 16);
    let scale = 1 / 16;
    for (const c of fracPart) {
      mant += parseInt(c, 16) * scale;
      scale /= 16;
    }
    return sign * mant * Math.pow(2, Number(m[3]));
  }
  return null;
}

/** promqltest's parseNumber (and the PromQL parser's number()): integer first, then
 * float. */
export function parseGoNumber(s: string): number | null {
  const n = parseGoInt(s);
  if (n !== null) return n;
  return parseGoFloat(s);
}
