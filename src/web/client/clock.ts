/** The browser's clock against the server's, from one API call: the server's time()
 * lies between sending and receiving, so its distance from the midpoint is the offset,
 * known to within half the round trip. */
export interface ClockOffset {
  /** Server time minus browser time, in ms. */
  offsetMs: number;
  uncertaintyMs: number;
}

/** Prometheus warns from 30 s; queries over short ranges go wrong well before that. */
export const CLOCK_WARN_MS = 5000;

export function clockOffset(serverSeconds: number, sentMs: number, receivedMs: number): ClockOffset {
  const mid = (sentMs + receivedMs) / 2;
  return { offsetMs: serverSeconds * 1000 - mid, uncertaintyMs: (receivedMs - sentMs) / 2 };
}

/** Whether the clocks surely differ by more than the threshold. */
export function clockSkewed(o: ClockOffset, thresholdMs = CLOCK_WARN_MS): boolean {
  return Math.abs(o.offsetMs) - o.uncertaintyMs > thresholdMs;
}
