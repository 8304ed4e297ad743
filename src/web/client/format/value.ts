/** Sample values and series names as the UI prints them. */

/** The API sends values as Go formats them: "1.5", "NaN", "+Inf", "-Inf", "1e+06". */
export function parseSampleValue(s: string): number {
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

/** `name{a="x", b="y"}` with label values quoted and escaped as PromQL strings. */
export function seriesName(metric: Readonly<Record<string, string>>): string {
  const name = metric["__name__"] ?? "";
  const labels = Object.keys(metric)
    .filter((k) => k !== "__name__")
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  if (labels.length === 0) return name === "" ? "{}" : name;
  return `${name}{${labels.join(", ")}}`;
}

const BIG: ReadonlyArray<readonly [number, string]> = [
  [1e24, "Y"],
  [1e21, "Z"],
  [1e18, "E"],
  [1e15, "P"],
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];
const SMALL: ReadonlyArray<readonly [number, string]> = [
  [1e-3, "m"],
  [1e-6, "µ"],
  [1e-9, "n"],
  [1e-12, "p"],
  [1e-15, "f"],
];

/** Axis ticks with SI prefixes: 1500000 -> "1.5M", 0.0025 -> "2.5m". */
export function formatAxisValue(v: number): string {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) {
    for (const [size, prefix] of BIG) if (abs >= size) return `${trim(v / size)}${prefix}`;
  }
  if (abs < 1) {
    for (const [size, prefix] of SMALL) if (abs >= size) return `${trim(v / size)}${prefix}`;
    return v.toExponential(2);
  }
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(4)));
}
