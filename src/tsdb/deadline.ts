/** The message every deadline error carries: errors cross the Durable Object RPC
 * boundary as plain Errors, so callers recognise it by its text. */
export const DEADLINE_EXCEEDED = "storage deadline exceeded";

export class DeadlineExceededError extends Error {
  constructor() {
    super(DEADLINE_EXCEEDED);
    this.name = "DeadlineExceededError";
  }
}

export function isDeadlineExceeded(e: unknown): boolean {
  return e instanceof DeadlineExceededError || (e instanceof Error && e.message.includes(DEADLINE_EXCEEDED));
}

/**
 * An absolute deadline (ms since the epoch) a read carries into a shard, so that a shard
 * stops working for a query that has already timed out (a request queued behind slow
 * work in the object, the next page of a large select) instead of running on for minutes.
 * Workers only advance the clock across I/O, so within one synchronous loop the check
 * sees the time the invocation started.
 */
export class Deadline {
  private n = 0;

  constructor(readonly at: number | undefined) {}

  check(): void {
    if (this.at !== undefined && Date.now() > this.at) throw new DeadlineExceededError();
  }

  /** For inner loops: reads the clock every 256 calls. */
  tick(): void {
    if ((++this.n & 255) === 0) this.check();
  }
}
