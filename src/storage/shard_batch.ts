import type { AppendBatch } from "../tsdb/rpc.js";
import type { MixedSample } from "../tsdb/histogram_record.js";
import type { SeriesRef } from "./series_refs.js";

/** No reference: the series goes by its labels. */
const BY_LABELS = -1;
/** The series' samples moved elsewhere (to a histogram batch). */
const MOVED = -2;

/**
 * One commit's float samples for one shard, in columns: a slot per series (its key
 * and, when the caller knows it, its reference in the shard) and per sample its slot,
 * time and value. No per-series objects, so a scrape's thousand series cost a map
 * entry each; the batch is grouped by series only when it is sent.
 */
export class ShardBatch {
  private readonly slotOf = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly refs: number[] = [];
  /** The epoch of the references in this batch (see SeriesRefs). */
  private epoch: number | undefined;
  private slots: Uint32Array;
  private ts: Float64Array;
  private vs: Float64Array;
  private n = 0;
  /** Every sample so far opened its own slot (a scrape: one sample per series), and
   * no series moved: the columns are already in slot order. */
  private oneEach = true;
  /** Slots that go by labels. */
  private byLabels = 0;

  /** `expected`: the samples the caller expects (a scrape's last size), so that a
   * steady commit fills its columns without growing them. */
  constructor(expected = 0) {
    const size = Math.max(256, expected);
    this.slots = new Uint32Array(size);
    this.ts = new Float64Array(size);
    this.vs = new Float64Array(size);
  }

  /** Adds a sample of series `key`; `ref` when the shard gave it a reference. A
   * series comes with its reference every time or never within one batch (a commit's
   * references do not change while it is filled): one with a reference keeps its
   * slot on it, the others are found by key. */
  push(key: string, t: number, v: number, ref?: SeriesRef): void {
    let slot = ref === undefined ? this.slotOf.get(key) : ref.batch === this ? ref.slot : undefined;
    if (slot === undefined) {
      slot = this.keys.length;
      if (ref === undefined) this.slotOf.set(key, slot);
      else {
        ref.batch = this;
        ref.slot = slot;
      }
      this.keys.push(key);
      // One batch carries one epoch; a reference from another goes by labels.
      if (ref !== undefined && (this.epoch === undefined || this.epoch === ref.epoch)) {
        this.epoch = ref.epoch;
        this.refs.push(ref.ref);
      } else {
        this.refs.push(BY_LABELS);
        this.byLabels++;
      }
    } else this.oneEach = false;
    if (this.n === this.ts.length) this.grow();
    this.slots[this.n] = slot;
    this.ts[this.n] = t;
    this.vs[this.n++] = v;
  }

  /** Removes series `key`'s samples from the batch and returns them in order. */
  take(key: string): MixedSample[] {
    const slot = this.slotOf.get(key) ?? this.keys.indexOf(key);
    if (slot < 0 || this.refs[slot] === MOVED) return [];
    if (this.refs[slot] === BY_LABELS) this.byLabels--;
    this.refs[slot] = MOVED;
    this.oneEach = false;
    const out: MixedSample[] = [];
    for (let i = 0; i < this.n; i++) if (this.slots[i] === slot) out.push({ t: this.ts[i]!, v: this.vs[i]! });
    return out;
  }

  isEmpty(): boolean {
    for (const r of this.refs) if (r !== MOVED) return false;
    return true;
  }

  /** The batch as it crosses RPC: series by labels first, then by reference (all by
   * labels when `byRef` is false), each series' samples consecutive and in order. */
  build(byRef: boolean): AppendBatch {
    if (this.oneEach && (!byRef || this.byLabels === 0 || this.byLabels === this.n)) return this.buildInOrder(byRef && this.byLabels === 0);
    const nslots = this.keys.length;
    const order = new Int32Array(nslots).fill(-1);
    const keys: string[] = [];
    const refs: number[] = [];
    for (let s = 0; s < nslots; s++) {
      const r = this.refs[s]!;
      if (r === MOVED || (byRef && r !== BY_LABELS)) continue;
      order[s] = keys.length;
      keys.push(this.keys[s]!);
    }
    if (byRef) {
      for (let s = 0; s < nslots; s++) {
        const r = this.refs[s]!;
        if (r < 0) continue;
        order[s] = keys.length + refs.length;
        refs.push(r);
      }
    }
    const series = keys.length + refs.length;
    const counts = new Uint32Array(series);
    let total = 0;
    for (let i = 0; i < this.n; i++) {
      const o = order[this.slots[i]!]!;
      if (o < 0) continue;
      counts[o]!++;
      total++;
    }
    const at = new Uint32Array(series);
    for (let o = 1; o < series; o++) at[o] = at[o - 1]! + counts[o - 1]!;
    const ts = new Float64Array(total);
    const vs = new Float64Array(total);
    for (let i = 0; i < this.n; i++) {
      const o = order[this.slots[i]!]!;
      if (o < 0) continue;
      const j = at[o]!++;
      ts[j] = this.ts[i]!;
      vs[j] = this.vs[i]!;
    }
    const batch: AppendBatch = { keys, counts, ts, vs };
    if (refs.length > 0) {
      batch.refs = Uint32Array.from(refs);
      batch.epoch = this.epoch;
    }
    return batch;
  }

  /** build() when sample i is slot i's only sample and all slots go one way: the
   * columns as they are. */
  private buildInOrder(allByRef: boolean): AppendBatch {
    const n = this.n;
    const batch: AppendBatch = { keys: allByRef ? [] : this.keys.slice(), counts: new Uint32Array(n).fill(1), ts: this.ts.slice(0, n), vs: this.vs.slice(0, n) };
    if (allByRef && n > 0) {
      batch.refs = Uint32Array.from(this.refs);
      batch.epoch = this.epoch;
    }
    return batch;
  }

  private grow(): void {
    const size = this.n * 2;
    const slots = new Uint32Array(size);
    const ts = new Float64Array(size);
    const vs = new Float64Array(size);
    slots.set(this.slots);
    ts.set(this.ts);
    vs.set(this.vs);
    this.slots = slots;
    this.ts = ts;
    this.vs = vs;
  }
}
