import type { Labels } from "../model/labels.js";

/** One instance of an alerting rule (Prometheus' rules.Alert). Times are ms since
 * the epoch; {@link ZERO_TIME} plays the role of Go's zero time.Time, which is not
 * the epoch (an evaluation at t=0 is real in tests). */

export type AlertState = "inactive" | "pending" | "firing";

/** Order of states for a rule's overall state: firing > pending > inactive. */
export const STATE_RANK: Record<AlertState | "unknown", number> = { unknown: 0, inactive: 1, pending: 2, firing: 3 };

export const ZERO_TIME = Number.MIN_SAFE_INTEGER;

export function isZeroTime(t: number): boolean {
  return t === ZERO_TIME;
}

export interface Alert {
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  /** The value of the alerting expression at the last evaluation. */
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  lastSentAt: number;
  validUntil: number;
  keepFiringSince: number;
}

export function newAlert(labels: Labels, annotations: Labels, value: number, activeAt: number): Alert {
  return {
    state: "pending",
    labels,
    annotations,
    value,
    activeAt,
    firedAt: ZERO_TIME,
    resolvedAt: ZERO_TIME,
    lastSentAt: ZERO_TIME,
    validUntil: ZERO_TIME,
    keepFiringSince: ZERO_TIME,
  };
}

/** Whether the alert goes to Alertmanager at `ts`: never while pending; at once
 * when it resolved since it was last sent; otherwise once per resend delay. */
export function needsSending(a: Alert, ts: number, resendDelayMs: number): boolean {
  if (a.state === "pending") return false;
  if (a.resolvedAt > a.lastSentAt) return true;
  return a.lastSentAt + resendDelayMs < ts;
}
