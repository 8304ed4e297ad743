/**
 * Runs one alarm's work and arms the next alarm whatever happens: at the time the
 * work returns, or `retryMs` from now when it throws. The runtime retries a throwing
 * alarm only a few times and then never again, and an object whose alarm stops does
 * its periodic work no more, so the error is logged here instead of thrown. A work
 * that returns null has nothing left to do and arms nothing.
 */
export async function rearmingAlarm(
  storage: Pick<DurableObjectStorage, "setAlarm">,
  work: () => Promise<number | null> | number | null,
  failed: { retryMs: number; log: (error: string) => void },
): Promise<void> {
  let next: number | null;
  try {
    next = await work();
  } catch (e) {
    failed.log(e instanceof Error ? e.message : String(e));
    next = Date.now() + failed.retryMs;
  }
  if (next !== null) await storage.setAlarm(Math.max(next, Date.now()));
}
