/**
 * Go's strconv.FormatFloat(v, fmt, prec, 64) for the formats fmt uses: 'e', 'E', 'f',
 * 'g', 'G' (shortest with prec -1, else correctly rounded, ties to even on the exact
 * binary value), 'b', 'x' and 'X'. JavaScript's toFixed/toPrecision round ties away
 * from zero and stop at 100 digits, so fixed precision works on the exact decimal
 * expansion of the double instead.
 */

/** Decimal digits d (no leading or trailing zeros) with the point after dp digits. */
interface Digits {
  d: string;
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

function bitsOf(v: number): { neg: boolean; exp: number; mant: bigint } {
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  const mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return { neg, exp, mant };
}

/** The exact decimal value of |v| (finite). */
function exactDigits(v: number): Digits {
  const { exp, mant: frac } = bitsOf(v);
  if (exp === 0 && frac === 0n) return { d: "", dp: 0 };
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const e = (exp === 0 ? 1 : exp) - 1075;
  let s: string;
  let dp: number;
  if (e >= 0) {
    s = (mant << BigInt(e)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e)).toString();
    dp = s.length + e;
  }
  return trim({ d: s, dp });
}

function trim(x: Digits): Digits {
  let d = x.d;
  let lead = 0;
  while (lead < d.length && d[lead] === "0") lead++;
  d = d.slice(lead);
  const dp = x.dp - lead;
  let end = d.length;
  while (end > 0 && d[end - 1] === "0") end--;
  return end === 0 ? { d: "", dp: 0 } : { d: d.slice(0, end), dp };
}

/** The shortest digits that read back as v: what Go's ryu shortest and JavaScript agree on. */
function shortestDigits(v: number): Digits {
  if (v === 0) return { d: "", dp: 0 };
  const s = Math.abs(v).toExponential();
  const [mant, exp] = s.split("e") as [string, string];
  return trim({ d: mant.replace(".", ""), dp: Number(exp) + 1 });
}

/** Go's decimal.Round(nd): to nd digits, ties to even (the digits are exact). */
function round(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x;
  const c = x.d.charCodeAt(nd);
  let up: boolean;
  if (c === 53 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = c >= 53;
  if (!up) return trim({ d: x.d.slice(0, nd), dp: x.dp });
  let i = nd - 1;
  while (i >= 0 && x.d[i] === "9") i--;
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp };
}

function fmtE(neg: boolean, x: Digits, prec: number, ch: string): string {
  let out = neg ? "-" : "";
  out += x.d.length > 0 ? x.d[0] : "0";
  if (prec > 0) {
    out += ".";
    const m = Math.min(x.d.length, prec + 1);
    out += x.d.slice(1, m);
    out += "0".repeat(Math.max(0, prec + 1 - Math.max(m, 1)));
  }
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  let sign = "+";
  if (exp < 0) {
    sign = "-";
    exp = -exp;
  }
  return out + ch + sign + (exp < 10 ? "0" + exp : String(exp));
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let out = neg ? "-" : "";
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    out += x.d.slice(0, m) + "0".repeat(x.dp - m);
  } else out += "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      out += j >= 0 && j < x.d.length ? x.d[j] : "0";
    }
  }
  return out;
}

function fmtB(neg: boolean, exp: number, mant: bigint): string {
  const e = exp - 52;
  return (neg ? "-" : "") + mant.toString() + "p" + (e >= 0 ? "+" : "") + e;
}

function fmtX(neg: boolean, prec: number, upper: boolean, mantIn: bigint, expIn: number): string {
  let mant = mantIn;
  let exp = expIn;
  if (mant === 0n) exp = 0;
  const ONE60 = 1n << 60n;
  mant <<= 8n;
  while (mant !== 0n && (mant & ONE60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (ONE60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  const mask = (1n << 64n) - 1n;
  let out = (neg ? "-" : "") + "0" + (upper ? "X" : "x") + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & mask;
  if (prec < 0 && mant !== 0n) {
    out += ".";
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & mask;
    }
  } else if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & mask;
    }
  }
  out += upper ? "P" : "p";
  out += exp < 0 ? "-" : "+";
  const a = Math.abs(exp);
  return out + (a < 10 ? "0" + a : String(a));
}

/** strconv.FormatFloat(v, fmt, prec, 64). */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const { neg, exp: rawExp, mant: frac } = bitsOf(v);
  if (fmt === "b" || fmt === "x" || fmt === "X") {
    let exp = rawExp;
    let mant = frac;
    if (exp === 0) exp++;
    else mant |= 1n << 52n;
    exp -= 1023;
    return fmt === "b" ? fmtB(neg, exp, mant) : fmtX(neg, prec, fmt === "X", mant, exp);
  }
  const shortest = prec < 0;
  let x: Digits;
  if (shortest) {
    x = shortestDigits(v);
    if (fmt === "e" || fmt === "E") prec = x.d.length - 1;
    else if (fmt === "f") prec = Math.max(x.d.length - x.dp, 0);
    else prec = x.d.length;
  } else {
    x = exactDigits(v);
    if (fmt === "e" || fmt === "E") x = round(x, prec + 1);
    else if (fmt === "f") x = round(x, x.dp + prec);
    else {
      if (prec === 0) prec = 1;
      x = round(x, prec);
    }
  }
  switch (fmt) {
    case "e":
    case "E":
      return fmtE(neg, x, prec, fmt);
    case "f":
      return fmtF(neg, x, prec);
    case "g":
    case "G": {
      let eprec = prec;
      if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
      if (shortest) eprec = 6;
      const exp = x.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > x.d.length) prec = x.d.length;
        return fmtE(neg, x, prec - 1, fmt === "g" ? "e" : "E");
      }
      if (prec > x.dp) prec = x.d.length;
      return fmtF(neg, x, Math.max(prec - x.dp, 0));
    }
  }
  return "%" + fmt;
}
