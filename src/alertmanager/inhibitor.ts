// inhibit_rules: a target alert is muted while a firing source alert agrees with it on
// every `equal` label (a missing label counts as ""). An alert matching both sides is
// not inhibited by alerts that also match both sides, so rules cannot mute themselves.
import type { InhibitRule } from "./am_config.js";
import { resolvedAt, type AmAlert } from "./alert.js";
import { matchAll } from "./am_matcher.js";

/** The fingerprints of the source alerts that inhibit these labels (at most one per
 * rule, as Alertmanager records), or [] when nothing does. */
export function inhibitedBy(rules: readonly InhibitRule[], alerts: Iterable<AmAlert>, labels: Readonly<Record<string, string>>, now: number): string[] {
  const list = [...alerts];
  for (const r of rules) {
    if (!matchAll(r.target, labels)) continue;
    const twoSided = matchAll(r.source, labels);
    for (const a of list) {
      if (resolvedAt(a, now) || !matchAll(r.source, a.labels)) continue;
      if (!r.equal.every((n) => (a.labels[n] ?? "") === (labels[n] ?? ""))) continue;
      if (twoSided && matchAll(r.target, a.labels)) continue;
      return [a.fingerprint];
    }
  }
  return [];
}
