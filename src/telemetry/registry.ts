import { labelsFromRecord, labelsKey, type Labels } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";

/** edgeprom's own metrics, exposed on /metrics like any Prometheus server's.
 * Kept per isolate: like a Prometheus process restart, a new isolate starts at zero,
 * which rate() handles as a counter reset. */

export interface FamilySample {
  /** Suffix appended to the family name (`_bucket`, `_sum`, `_count`) or "". */
  suffix: string;
  labels: Labels;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: FamilySample[];
}

export interface Collector {
  collect(): Family[] | Promise<Family[]>;
}

export class Counter implements Collector {
  private readonly values = new Map<string, { labels: Labels; v: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Record<string, string> = {}, by = 1): void {
    const ls = labelsFromRecord(labels);
    const key = labelsKey(ls);
    const cur = this.values.get(key);
    if (cur) cur.v += by;
    else this.values.set(key, { labels: ls, v: by });
  }

  collect(): Family[] {
    const samples = [...this.values.values()].map((x) => ({ suffix: "", labels: x.labels, value: x.v }));
    return [{ name: this.name, help: this.help, type: "counter", samples }];
  }
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram implements Collector {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[] = DEFAULT_BUCKETS,
  ) {}

  observe(labels: Record<string, string>, v: number): void {
    const ls = labelsFromRecord(labels);
    const key = labelsKey(ls);
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = { labels: ls, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }

  collect(): Family[] {
    const samples: FamilySample[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        samples.push({ suffix: "_bucket", labels: withLe(s.labels, String(b)), value: s.counts[i]! });
      });
      samples.push({ suffix: "_bucket", labels: withLe(s.labels, "+Inf"), value: s.count });
      samples.push({ suffix: "_sum", labels: s.labels, value: s.sum });
      samples.push({ suffix: "_count", labels: s.labels, value: s.count });
    }
    return [{ name: this.name, help: this.help, type: "histogram", samples }];
  }
}

function withLe(ls: Labels, le: string): Labels {
  return [...ls, { name: "le", value: le }].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A collector whose values are read when scraped (gauges over storage stats). */
export class CallbackCollector implements Collector {
  constructor(private readonly fn: () => Family[] | Promise<Family[]>) {}
  collect(): Family[] | Promise<Family[]> {
    return this.fn();
  }
}

export class Registry {
  private readonly collectors: Collector[] = [];
  register<T extends Collector>(c: T): T {
    this.collectors.push(c);
    return c;
  }
  async gather(): Promise<Family[]> {
    const out: Family[] = [];
    for (const c of this.collectors) out.push(...(await c.collect()));
    return out;
  }
}
