// Silences: matchers plus a time window; an alert is muted while an active silence's
// matchers all hold. Validation and the state names are the v2 API's.
import { amMatcher, matchAll, type AmMatcher, matchOne } from "./am_matcher.js";

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = "expired" | "active" | "pending";

export class SilenceError extends Error {}

export function silenceState(s: Silence, now: number): SilenceState {
  if (s.endsAt <= now) return "expired";
  if (s.startsAt <= now) return "active";
  return "pending";
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function compileSilenceMatchers(ms: SilenceMatcher[]): AmMatcher[] {
  return ms.map((m) => amMatcher(m.isRegex ? (m.isEqual ? "=~" : "!~") : m.isEqual ? "=" : "!=", m.name, m.value));
}

/** silence.validateSilence plus the API's checks. Throws SilenceError. */
export function validateSilence(s: Silence, now: number): void {
  if (s.matchers.length === 0) throw new SilenceError("at least one matcher required");
  let allEmpty = true;
  for (const m of s.matchers) {
    if (!LABEL_NAME.test(m.name)) throw new SilenceError(`invalid label matcher 0: invalid label name "${m.name}"`);
    if (m.isRegex) {
      try {
        compileSilenceMatchers([m]);
      } catch (e) {
        throw new SilenceError(`invalid label matcher: ${(e as Error).message}`);
      }
    }
    if (!matchOne(compileSilenceMatchers([m])[0]!, "")) allEmpty = false;
  }
  if (allEmpty) throw new SilenceError("at least one matcher must not match the empty string");
  if (s.startsAt === 0 || Number.isNaN(s.startsAt)) throw new SilenceError("invalid zero start timestamp");
  if (s.endsAt === 0 || Number.isNaN(s.endsAt)) throw new SilenceError("invalid zero end timestamp");
  if (s.endsAt < s.startsAt) throw new SilenceError("end time must not be before start time");
  if (s.endsAt < now) throw new SilenceError("end time can't be in the past");
}

/** The ids of the active silences that mute these labels. */
export function silencedBy(silences: Iterable<Silence>, labels: Readonly<Record<string, string>>, now: number, compiled: (s: Silence) => AmMatcher[]): string[] {
  const out: string[] = [];
  for (const s of silences) if (silenceState(s, now) === "active" && matchAll(compiled(s), labels)) out.push(s.id);
  return out.sort();
}
