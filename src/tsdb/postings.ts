import type { Labels } from "../model/labels.js";
import { matchesEmpty, matchValue, type Matcher } from "../model/matchers.js";
import type { Deadline } from "./deadline.js";

/** The in-memory inverted index of one shard: label name -> value -> series ids.
 * Built from the postings table when the object starts and kept in step with it. */
export class PostingsIndex {
  private readonly byName = new Map<string, Map<string, Set<number>>>();
  private readonly all = new Set<number>();

  add(id: number, labels: Labels): void {
    this.all.add(id);
    for (const l of labels) this.addPosting(l.name, l.value, id);
  }

  addPosting(name: string, value: string, id: number): void {
    this.all.add(id);
    let values = this.byName.get(name);
    if (values === undefined) this.byName.set(name, (values = new Map()));
    let ids = values.get(value);
    if (ids === undefined) values.set(value, (ids = new Set()));
    ids.add(id);
  }

  delete(id: number, labels: Labels): void {
    this.all.delete(id);
    for (const l of labels) {
      const values = this.byName.get(l.name);
      const ids = values?.get(l.value);
      if (ids === undefined) continue;
      ids.delete(id);
      if (ids.size === 0) values!.delete(l.value);
      if (values!.size === 0) this.byName.delete(l.name);
    }
  }

  labelNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.byName.get(name)?.keys() ?? [])].sort();
  }

  /** Series ids selected by all matchers, the way Prometheus resolves them: matchers
   * that cannot match an empty value intersect, those that can subtract the series
   * whose value fails them (a missing label counts as the empty value). The answer may
   * be the index's own set (a lone `name="value"`, which a rule group asks for again
   * and again): read it before the index changes and never change it. */
  resolve(matchers: readonly Matcher[], deadline?: Deadline): ReadonlySet<number> {
    let result: ReadonlySet<number> | null = null;
    // Whether result is a set of our own, not one of the index's.
    let owned = false;
    const subtract: Matcher[] = [];
    for (const m of matchers) {
      if (matchesEmpty(m)) {
        subtract.push(m);
        continue;
      }
      const equal = m.type === "=";
      const ids = equal ? (this.byName.get(m.name)?.get(m.value) ?? NONE) : this.union(m, true, deadline);
      if (result === null) {
        result = ids;
        owned = !equal;
      } else {
        result = intersect(result, ids);
        owned = true;
      }
      if (result.size === 0) return result;
    }
    if (subtract.length === 0) return result ?? this.all;
    const out: Set<number> = owned ? (result as Set<number>) : new Set(result ?? this.all);
    for (const m of subtract) {
      // Values present on series that fail the matcher; absent labels pass it.
      const failing = this.union(m, false, deadline);
      for (const id of failing) out.delete(id);
    }
    return out;
  }

  /** Union of the postings of every value of m.name for which the matcher gives `want`. */
  private union(m: Matcher, want: boolean, deadline: Deadline | undefined): Set<number> {
    const values = this.byName.get(m.name);
    const out = new Set<number>();
    if (values === undefined) return out;
    for (const [v, ids] of values) {
      deadline?.tick();
      if (matchValue(m, v) === want) for (const id of ids) out.add(id);
    }
    return out;
  }
}

const NONE: ReadonlySet<number> = new Set();

function intersect(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const id of small) if (big.has(id)) out.add(id);
  return out;
}
