import { fnv1a } from "../model/labels.js";
import type { ActiveTarget } from "./target_set.js";

/**
 * When in its interval each target is scraped. Prometheus gives every target its own
 * offset to spread the load of a server with thousands of targets; here each alarm
 * costs the scheduler about as much as a scrape, so targets of one interval are
 * scraped together, `perSlot` at a time: they share an offset (from `seed`, so that
 * tiers do not all scrape at the same instant) and a larger set is split into
 * evenly spaced slots of at most `perSlot`, in the order of Prometheus' own offsets
 * so that a target keeps its slot while the set grows or shrinks a little.
 */
export function scrapeOffsets(active: readonly ActiveTarget[], seed: string, perSlot: number): Map<string, number> {
  const byInterval = new Map<number, ActiveTarget[]>();
  for (const a of active) {
    const interval = Math.max(1, a.target.intervalMs);
    let list = byInterval.get(interval);
    if (list === undefined) byInterval.set(interval, (list = []));
    list.push(a);
  }
  const out = new Map<string, number>();
  for (const [interval, list] of byInterval) {
    list.sort((a, b) => a.offsetMs - b.offsetMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const slots = Math.ceil(list.length / perSlot);
    const base = fnv1a(seed) % interval;
    for (let i = 0; i < list.length; i++) {
      const slot = Math.floor((i * slots) / list.length);
      out.set(list[i]!.id, (base + Math.floor((slot * interval) / slots)) % interval);
    }
  }
  return out;
}
