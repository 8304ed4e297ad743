export type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "gaugehistogram"
  | "summary"
  | "info"
  | "stateset"
  | "unknown";

export interface MetricMetadata {
  type: MetricType;
  help: string;
  unit: string;
}

/** Whether two sets of metadata by family name say the same. */
export function sameMetadata(a: Readonly<Record<string, MetricMetadata>>, b: Readonly<Record<string, MetricMetadata>>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const name in b) {
    const x = a[name];
    const y = b[name]!;
    if (x === undefined || x.type !== y.type || x.help !== y.help || x.unit !== y.unit) return false;
    n++;
  }
  return n === Object.keys(a).length;
}
