import type { Labels } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import type { Entry, Exemplar } from "./entry.js";

/** A sample as the writer takes it: `labels` is the full series including `__name__`
 * (e.g. "foo_bucket"); when `__name__` is absent the family name is used. */
export interface FamilySample {
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp?: number | undefined;
  /** Written in OpenMetrics only; the text format has no exemplars. */
  readonly exemplar?: Exemplar | undefined;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help?: string | undefined;
  readonly unit?: string | undefined;
  readonly samples: readonly FamilySample[];
}

/** The sample-name suffixes each family type owns, from both format specs (the text
 * format's counters carry no suffix of their own; OpenMetrics' use "_total"). */
export const FAMILY_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ["", "_total", "_created"],
  gauge: [""],
  histogram: ["_bucket", "_count", "_sum", "_created"],
  gaugehistogram: ["_bucket", "_gcount", "_gsum"],
  summary: ["", "_count", "_sum", "_created"],
  info: ["_info"],
  stateset: [""],
  unknown: [""],
};

/** Whether a sample called `sampleName` belongs to family `family` of type `type`. */
export function belongsToFamily(family: string, type: MetricType, sampleName: string): boolean {
  if (!sampleName.startsWith(family)) return false;
  const rest = sampleName.length === family.length ? "" : sampleName.slice(family.length);
  return FAMILY_SUFFIXES[type].includes(rest);
}

interface MutableFamily {
  name: string;
  type: MetricType;
  help: string;
  unit: string;
  samples: FamilySample[];
}

/** Groups parsed entries into families the way the formats define them: metadata
 * opens (or annotates) a family, samples join the current family when their name
 * fits its type, and any other sample starts an untyped family of its own. */
export function groupFamilies(entries: Iterable<Entry>): MetricFamily[] {
  const out: MutableFamily[] = [];
  let cur: MutableFamily | undefined;
  const open = (name: string): MutableFamily => {
    cur = { name, type: "unknown", help: "", unit: "", samples: [] };
    out.push(cur);
    return cur;
  };
  for (const e of entries) {
    if (e.kind === "sample") {
      const f = cur !== undefined && belongsToFamily(cur.name, cur.type, e.name) ? cur : open(e.name);
      f.samples.push(
        e.exemplar === undefined
          ? { labels: e.labels, value: e.value, timestamp: e.timestamp }
          : { labels: e.labels, value: e.value, timestamp: e.timestamp, exemplar: e.exemplar },
      );
      continue;
    }
    const f = cur !== undefined && cur.name === e.name && cur.samples.length === 0 ? cur : open(e.name);
    if (e.kind === "help") f.help = e.help;
    else if (e.kind === "type") f.type = e.type;
    else f.unit = e.unit;
  }
  return out;
}
