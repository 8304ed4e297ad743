import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeriesRefs, type SeriesRef } from "../../src/storage/series_refs.js";
import { holds } from "../support/property.js";

/** SeriesRefs as a plain map, with its eviction: what get() must answer whatever
 * order the keys come in. */
class MapModel {
  readonly byKey = new Map<string, { ref: number; epoch: number; lastUsed: number }>();
  epoch: number | undefined;
  commits = 0;
  get(key: string): number | undefined {
    const r = this.byKey.get(key);
    if (r === undefined || r.epoch !== this.epoch) return undefined;
    r.lastUsed = this.commits;
    return r.ref;
  }
  learn(epoch: number, keys: readonly string[], refs: readonly number[]): void {
    this.epoch = epoch;
    keys.forEach((k, i) => this.byKey.set(k, { ref: refs[i]!, epoch, lastUsed: this.commits }));
  }
  endCommit(): void {
    if (++this.commits % 3 !== 0) return;
    for (const [k, r] of this.byKey) if (this.commits - r.lastUsed > 3 || r.epoch !== this.epoch) this.byKey.delete(k);
  }
}

/** One commit as ShardedStorage makes it: keys asked in order, the unknown ones
 * learnt; when the shard has a new epoch it refuses the references and every key is
 * sent by labels again. */
function commit(refs: SeriesRefs, model: MapModel, keys: readonly string[], epoch: number, next: { ref: number }): void {
  const learnt: string[] = [];
  const numbers: number[] = [];
  for (const k of keys) {
    const got: SeriesRef | undefined = refs.get(k, 1);
    const want = model.get(k);
    expect(got?.ref).toBe(want);
    if (got === undefined && !learnt.includes(k)) {
      learnt.push(k);
      numbers.push(next.ref++);
    }
  }
  if (model.epoch !== undefined && model.epoch !== epoch && learnt.length < new Set(keys).size) {
    refs.forget(0);
    learnt.length = 0;
    numbers.length = 0;
    for (const k of keys) {
      if (learnt.includes(k)) continue;
      learnt.push(k);
      numbers.push(next.ref++);
    }
  }
  refs.learn(0, epoch, learnt, numbers);
  model.learn(epoch, learnt, numbers);
  refs.endCommit();
  model.endCommit();
}

describe("series references", () => {
  it("answer as a map of keys whatever order, gaps, repeats and epochs the commits bring", () => {
    const key = fc.integer({ min: 0, max: 12 }).map((i) => `k${i}`);
    const step = fc.record({
      keys: fc.array(key, { maxLength: 14 }),
      // Same order as last time with a change: most commits of a steady target.
      repeat: fc.boolean(),
      newEpoch: fc.boolean(),
    });
    holds(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const refs = new SeriesRefs();
        const model = new MapModel();
        const next = { ref: 1 };
        let epoch = 1;
        let last: readonly string[] = [];
        for (const s of steps) {
          if (s.newEpoch) epoch++;
          const keys = s.repeat ? [...last.slice(0, 3), ...s.keys.slice(0, 2), ...last.slice(4)] : s.keys;
          commit(refs, model, keys, epoch, next);
          last = keys;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("takes a steady commit's references by position, with the key strings compared", () => {
    const refs = new SeriesRefs();
    const model = new MapModel();
    const next = { ref: 1 };
    const keys = Array.from({ length: 50 }, (_, i) => `series-${i}`);
    for (let c = 0; c < 5; c++) commit(refs, model, keys, 7, next);
    // Equal text in other string instances finds the same references.
    const copies = keys.map((k) => [...k].join(""));
    commit(refs, model, copies, 7, next);
    expect(next.ref).toBe(51);
  });
});
