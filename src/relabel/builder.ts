import type { Label, Labels } from "../model/labels.js";

/** A label set under modification, with the exact semantics of Prometheus'
 * labels.Builder: a sorted immutable base plus an ordered list of additions and a list
 * of deletions. The order matters for `labelmap`, whose iteration visits the base
 * labels still in force first and then the additions in insertion order.
 *
 * Nothing is allocated until something changes, and `labels()` hands back the base
 * array itself when the result equals it, so callers can test `out === in`. */
export class RelabelBuilder {
  private base: Labels;
  private add: Label[] | null = null;
  private del: string[] | null = null;

  constructor(base: Labels) {
    this.base = base;
  }

  reset(base: Labels): void {
    this.base = base;
    this.add = null;
    this.del = null;
  }

  get changed(): boolean {
    return this.add !== null || this.del !== null;
  }

  get(name: string): string {
    const add = this.add;
    if (add !== null) for (let i = 0; i < add.length; i++) if (add[i]!.name === name) return add[i]!.value;
    if (this.del !== null && this.del.includes(name)) return "";
    const base = this.base;
    for (let i = 0; i < base.length; i++) if (base[i]!.name === name) return base[i]!.value;
    return "";
  }

  /** An empty value deletes the label, as in Prometheus. */
  set(name: string, value: string): void {
    if (value === "") {
      this.delete(name);
      return;
    }
    if (this.add === null) {
      this.add = [{ name, value }];
      return;
    }
    const add = this.add;
    for (let i = 0; i < add.length; i++) {
      if (add[i]!.name === name) {
        add[i] = { name, value };
        return;
      }
    }
    add.push({ name, value });
  }

  delete(name: string): void {
    if (this.add !== null) {
      const i = this.add.findIndex((l) => l.name === name);
      if (i >= 0) this.add.splice(i, 1);
    }
    if (this.del === null) this.del = [name];
    else this.del.push(name);
  }

  /** Calls `f` on every label in force, over a snapshot: changes made by `f` are not
   * seen by this iteration. */
  range(f: (l: Label) => void): void {
    const base = this.base;
    if (this.add === null && this.del === null) {
      for (let i = 0; i < base.length; i++) f(base[i]!);
      return;
    }
    const add = this.add === null ? [] : this.add.slice();
    const del = this.del === null ? [] : this.del.slice();
    for (let i = 0; i < base.length; i++) {
      const l = base[i]!;
      if (del.includes(l.name) || add.some((a) => a.name === l.name)) continue;
      f(l);
    }
    for (const a of add) f(a);
  }

  labels(): Labels {
    const base = this.base;
    const add = this.add;
    const del = this.del;
    if (add === null && del === null) return base;
    if (this.isNoop()) return base;
    // Merge the base (sorted) with the additions (sorted here; usually one or two).
    const adds = add === null ? [] : add.length > 1 ? add.slice().sort(byName) : add;
    const out: Label[] = [];
    let j = 0;
    for (let i = 0; i < base.length; i++) {
      const l = base[i]!;
      while (j < adds.length && adds[j]!.name < l.name) out.push(adds[j++]!);
      if (j < adds.length && adds[j]!.name === l.name) continue; // overridden; pushed by the loop above later
      if (del !== null && del.includes(l.name)) continue;
      out.push(l);
    }
    while (j < adds.length) out.push(adds[j++]!);
    return out;
  }

  /** True when the pending changes leave the base as it is (a label set to the value
   * it already has, a missing label deleted): no allocation for the common case. */
  private isNoop(): boolean {
    const base = this.base;
    if (this.del !== null) {
      for (const name of this.del) {
        if (this.add !== null && this.add.some((a) => a.name === name)) continue;
        for (let i = 0; i < base.length; i++) if (base[i]!.name === name) return false;
      }
    }
    if (this.add !== null) {
      for (const a of this.add) {
        let found = false;
        for (let i = 0; i < base.length; i++) {
          if (base[i]!.name === a.name) {
            if (base[i]!.value !== a.value) return false;
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
    }
    return true;
  }
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
