/** A label pair. Label sets are kept sorted by name so that equality, hashing and
 * printing never need to sort again. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const METRIC_NAME = "__name__";

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidLabelName(name: string): boolean {
  return NAME_RE.test(name);
}

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Builds a sorted label set; empty values are dropped, as Prometheus treats an empty
 * label value as the label being absent. */
export function labelsFromRecord(rec: Readonly<Record<string, string>>): Labels {
  const out: Label[] = [];
  for (const name of Object.keys(rec)) {
    const value = rec[name]!;
    if (value !== "") out.push({ name, value });
  }
  return out.sort(byName);
}

export function labelsFromPairs(pairs: Iterable<readonly [string, string]>): Labels {
  const out: Label[] = [];
  for (const [name, value] of pairs) if (value !== "") out.push({ name, value });
  return out.sort(byName);
}

/** Sorts a list the caller built in place. Use when the caller owns the array. */
export function sortLabels(ls: Label[]): Labels {
  return ls.sort(byName);
}

export function labelsToRecord(ls: Labels): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const l of ls) rec[l.name] = l.value;
  return rec;
}

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return "";
}

export function metricName(ls: Labels): string {
  return getLabel(ls, METRIC_NAME);
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  }
  return true;
}

export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

// Prometheus separates pairs with the byte 0xff, which UTF-8 never contains. JS
// strings are UTF-16, where "\xff" is the ordinary letter ÿ; U+FFFF is a
// noncharacter that decoded UTF-8 text does not carry, so it plays that role here.
const SEP = "\uffff";

/** A string that identifies the label set; used as a map key and stored as the series
 * identity. */
export function labelsKey(ls: Labels): string {
  let s = "";
  for (const l of ls) s += l.name + SEP + l.value + SEP;
  return s;
}

export function labelsFromKey(key: string): Labels {
  const parts = key.split(SEP);
  const out: Label[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push({ name: parts[i]!, value: parts[i + 1]! });
  return out;
}

/** 32-bit FNV-1a over the key: stable across processes, used to pick a shard. */
export function labelsHash(ls: Labels): number {
  return fnv1a(labelsKey(ls));
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Prometheus' Labels.String(): `{__name__="up", job="x"}`. */
export function labelsToString(ls: Labels): string {
  return "{" + ls.map((l) => `${l.name}="${escapeLabelValue(l.value)}"`).join(", ") + "}";
}

/** The way series are shown in the UI and error messages: `up{job="x"}`. */
export function formatSeries(ls: Labels): string {
  const name = metricName(ls);
  const rest = ls.filter((l) => l.name !== METRIC_NAME);
  const body = rest.map((l) => `${l.name}="${escapeLabelValue(l.value)}"`).join(", ");
  if (name === "") return "{" + body + "}";
  return rest.length === 0 ? name : `${name}{${body}}`;
}

export class LabelsBuilder {
  private readonly map = new Map<string, string>();
  constructor(base: Labels = []) {
    for (const l of base) this.map.set(l.name, l.value);
  }
  set(name: string, value: string): this {
    if (value === "") this.map.delete(name);
    else this.map.set(name, value);
    return this;
  }
  del(name: string): this {
    this.map.delete(name);
    return this;
  }
  get(name: string): string {
    return this.map.get(name) ?? "";
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  labels(): Labels {
    return labelsFromPairs(this.map);
  }
}
