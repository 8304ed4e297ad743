// The notification log and Alertmanager's DedupStage rule: send when something new
// fires, when everything that fired has resolved, when send_resolved and a new
// resolution appears, or when repeat_interval has passed; otherwise stay quiet.

export interface NflogEntry {
  firing: string[];
  resolved: string[];
  /** When the notification was sent (ms). */
  timestamp: number;
}

/** How long entries are kept (Alertmanager's --data.retention default, 120h). */
export const NFLOG_RETENTION_MS = 120 * 3600_000;

export function nflogKey(groupKey: string, receiver: string, integration: string, index: number): string {
  return `${groupKey}\u0000${receiver}\u0000${integration}\u0000${index}`;
}

const subset = (sub: Set<string>, of: readonly string[]) => {
  const s = new Set(of);
  for (const x of sub) if (!s.has(x)) return false;
  return true;
};

export function needsUpdate(entry: NflogEntry | undefined, firing: Set<string>, resolved: Set<string>, sendResolved: boolean, repeatMs: number, now: number): boolean {
  if (entry === undefined) return firing.size > 0;
  if (!subset(firing, entry.firing)) return true;
  // All resolved: notify (even without send_resolved) so the log forgets the firing set,
  // unless nothing that fired was ever sent.
  if (firing.size === 0) return entry.firing.length > 0;
  if (sendResolved && !subset(resolved, entry.resolved)) return true;
  return entry.timestamp < now - repeatMs;
}
