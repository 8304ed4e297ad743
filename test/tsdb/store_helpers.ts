import { env } from "cloudflare:workers";
import { labelsFromRecord, labelsKey } from "../../src/model/labels.js";
import type { AppendSeries } from "../../src/tsdb/rpc.js";

let n = 0;

/** A SeriesStore of its own for each test. */
export function freshStore() {
  return env.SERIES.get(env.SERIES.idFromName(`test-${Date.now()}-${n++}`));
}

export function series(labels: Record<string, string>, samples: Array<[number, number]>): AppendSeries {
  const ts = new Float64Array(samples.length);
  const vs = new Float64Array(samples.length);
  samples.forEach(([t, v], i) => {
    ts[i] = t;
    vs[i] = v;
  });
  return { key: labelsKey(labelsFromRecord(labels)), ts, vs };
}

/** Samples at a 15s interval starting at t0, with values from fn(i). */
export function regular(t0: number, count: number, fn: (i: number) => number): Array<[number, number]> {
  return Array.from({ length: count }, (_, i) => [t0 + i * 15_000, fn(i)] as [number, number]);
}
