/** Go's fmt formatting of float64 with %g and %v (which Prometheus uses in
 * annotations and in a histogram's String()). */

/** Decimal digits (no trailing zeros) and the position of the decimal point relative
 * to them: v = 0.d1d2d3... * 10^dp. prec < 0 asks for the shortest round trip, else
 * for prec significant digits, rounding exact ties to even as Go does. */
function decimalDigits(abs: number, prec: number): { d: string; dp: number } {
  if (abs === 0) return { d: "0", dp: 1 };
  let e: string;
  if (prec < 0) {
    e = abs.toExponential();
  } else {
    e = abs.toExponential(prec - 1);
    // JavaScript rounds exact ties away from zero; Go to even.
    const exact = abs.toExponential(Math.min(100, prec + 40));
    const digitsExact = exact.slice(0, exact.indexOf("e")).replace(".", "");
    const tail = digitsExact.slice(prec);
    if (/^50*$/.test(tail) && Number(digitsExact[prec - 1]) % 2 === 0) {
      const lower = digitsExact.slice(0, prec);
      const expPart = exact.slice(exact.indexOf("e"));
      e = (prec > 1 ? `${lower[0]}.${lower.slice(1)}` : lower) + expPart;
    }
  }
  const at = e.indexOf("e");
  const exp = Number(e.slice(at + 1));
  const d = e.slice(0, at).replace(".", "").replace(/0+$/, "") || "0";
  return { d, dp: exp + 1 };
}

/** fmt's %g (prec < 0) or %.<prec>g for a float64. */
export function formatGoG(v: number, prec = -1, vVerb = false): string {
  if (v !== v) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const neg = v < 0 || Object.is(v, -0);
  if (prec === 0) prec = 1;
  const shortest = prec < 0;
  const { d, dp } = decimalDigits(Math.abs(v), prec);
  const nd = d.length;
  let p = shortest ? nd : prec;
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  // %g decides on the exponent form as if the precision were 6, %v as if 21.
  if (shortest) eprec = vVerb ? 21 : 6;
  const exp = dp - 1;
  let out: string;
  if (exp < -4 || exp >= eprec) {
    if (p > nd) p = nd;
    out = d[0]!;
    if (p > 1) out += "." + d.slice(1, p).padEnd(p - 1, "0");
    const ae = Math.abs(exp);
    out += "e" + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + String(ae);
  } else {
    if (p > dp) p = nd;
    const decimals = Math.max(p - dp, 0);
    out = dp > 0 ? (nd >= dp ? d.slice(0, dp) : d + "0".repeat(dp - nd)) : "0";
    if (decimals > 0) {
      let frac = "";
      for (let i = 0; i < decimals; i++) {
        const j = dp + i;
        frac += j >= 0 && j < nd ? d[j] : "0";
      }
      out += "." + frac;
    }
  }
  return neg ? "-" + out : out;
}

/** fmt's %v for a float64. */
export function formatGoV(v: number): string {
  return formatGoG(v, -1, true);
}
