/**
 * An API answer with every number-like string cut to 14 significant digits.
 * Prometheus takes the bucket bounds of exponential schemas above 0 from a table of
 * constants that sit an ulp or two off the correctly rounded 2^(k/2^schema) edgeprom
 * computes (0.7071067811865475 where edgeprom prints 0.7071067811865476); at 14
 * digits everything must match exactly.
 */
export function sigDigits(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x), (_k, v: unknown) => {
    if (typeof v === "string" && /^-?\d+(\.\d+)?(e[-+]\d+)?$/.test(v)) return Number(v).toPrecision(14);
    return v;
  });
}
