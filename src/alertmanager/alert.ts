// An alert as Alertmanager holds it: what a client posted plus the times it keeps
// (UpdatedAt, and Timeout when the client gave no end so resolve_timeout applies).
import { fingerprint } from "./fingerprint.js";

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Unix ms. */
  startsAt: number;
  /** Unix ms; for a timeout alert, startsAt/now + resolve_timeout. */
  endsAt: number;
  generatorURL: string;
  updatedAt: number;
  /** The client sent no endsAt. */
  timeout: boolean;
  fingerprint: string;
}

export function newAlert(a: Omit<AmAlert, "fingerprint">): AmAlert {
  return { ...a, fingerprint: fingerprint(a.labels) };
}

export function resolvedAt(a: AmAlert, now: number): boolean {
  return a.endsAt !== 0 && a.endsAt <= now;
}

/** types.Alert.Merge: the newer update wins, the earliest start stays, and an explicit
 * (non-timeout) end beats a later default one. */
export function mergeAlerts(a: AmAlert, o: AmAlert): AmAlert {
  if (o.updatedAt < a.updatedAt) return mergeAlerts(o, a);
  const res = { ...o };
  if (a.startsAt < o.startsAt) res.startsAt = a.startsAt;
  if (resolvedAt(o, o.updatedAt)) {
    if (resolvedAt(a, a.updatedAt) && a.endsAt > o.endsAt) res.endsAt = a.endsAt;
  } else if (a.endsAt > o.endsAt && !a.timeout) res.endsAt = a.endsAt;
  return res;
}

/** The provider's rule for an alert arriving for a fingerprint it already holds:
 * merge when the activity ranges overlap, otherwise the new one replaces it. */
export function putAlert(old: AmAlert | undefined, a: AmAlert): AmAlert {
  if (old === undefined) return a;
  const overlaps = (a.endsAt > old.startsAt && a.endsAt < old.endsAt) || (a.startsAt > old.startsAt && a.startsAt < old.endsAt);
  return overlaps ? mergeAlerts(old, a) : a;
}

/** types.AlertSlice order: by job, then instance, then the whole label set. */
export function compareAlerts(a: AmAlert, b: AmAlert): number {
  for (const k of ["job", "instance"]) {
    const x = a.labels[k];
    const y = b.labels[k];
    if (x === undefined && y === undefined) continue;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return compareLabelSets(a.labels, b.labels);
}

/** model.LabelSet.Before: smaller sets first, then names and values in order. */
export function compareLabelSets(a: Record<string, string>, b: Record<string, string>): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  if (an.length !== bn.length) return an.length - bn.length;
  for (let i = 0; i < an.length; i++) {
    if (an[i] !== bn[i]) return an[i]! < bn[i]! ? -1 : 1;
    const x = a[an[i]!]!;
    const y = b[bn[i]!]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
