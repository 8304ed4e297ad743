const BYTE_UNITS: Record<string, number> = { B: 1 };
["K", "M", "G", "T", "P", "E"].forEach((p, i) => {
  BYTE_UNITS[`${p}B`] = 1024 ** (i + 1);
  BYTE_UNITS[`${p}iB`] = 1024 ** (i + 1);
});

/** Parses a byte size as Prometheus does (`512KB`, `1.5MiB`, `0`; units are powers
 * of 1024). Throws with Prometheus' message. */
export function parseBytes(text: string): number {
  if (text === "0") return 0;
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest[0] === "-" ? -1 : 1;
    rest = rest.slice(1);
  }
  if (!/^[0-9.]/.test(rest)) throw new Error(`units: invalid ${text}`);
  let total = 0;
  while (rest !== "") {
    const num = /^[0-9]*(?:\.[0-9]*)?/.exec(rest)![0];
    if (num === "" || num === ".") throw new Error(`units: invalid ${text}`);
    rest = rest.slice(num.length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    rest = rest.slice(unit.length);
    const mult = BYTE_UNITS[unit];
    if (mult === undefined) throw new Error(`units: unknown unit ${unit} in ${text}`);
    total += Number(num) * mult;
  }
  return sign * Math.floor(total);
}
