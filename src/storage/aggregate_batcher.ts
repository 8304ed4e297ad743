import type { AggregateAnswer, AggregateRequest } from "../tsdb/rpc.js";
import type { PartialAggregate } from "../tsdb/pushdown.js";

interface Waiting {
  req: AggregateRequest;
  resolve: (p: PartialAggregate) => void;
  reject: (e: unknown) => void;
}

/**
 * Shares a shard's round trips between concurrent pushed-down aggregations (the
 * rules of a group, a dashboard's panels): requests made in the same turn of the
 * event loop go together in one selectAggregates call, and those arriving while one
 * is in flight wait for it and go together in the next. Waiting for the turn to end
 * costs one pass of the event loop; without it the first of a group's concurrent
 * rules went alone and every batch took two round trips. The shard answers requests
 * one after another either way, so waiting for a round trip costs nothing.
 */
export class AggregateBatcher {
  private queue: Waiting[] = [];
  private busy = false;

  constructor(
    private readonly one: (req: AggregateRequest) => Promise<PartialAggregate>,
    private readonly many: (reqs: AggregateRequest[]) => Promise<AggregateAnswer[]>,
  ) {}

  run(req: AggregateRequest): Promise<PartialAggregate> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.busy) this.sendAfterTurn();
    });
  }

  private sendAfterTurn(): void {
    this.busy = true;
    setTimeout(() => void this.send(), 0);
  }

  /** Sends what is queued in one call; then the next batch, if any, a turn later
   * (so that the callers just answered can add to it). */
  private async send(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      if (batch.length === 1) {
        const w = batch[0]!;
        await this.one(w.req).then(w.resolve, w.reject);
      } else {
        let answers: AggregateAnswer[] | undefined;
        try {
          answers = await this.many(batch.map((w) => w.req));
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
        answers?.forEach((a, i) => {
          const w = batch[i]!;
          if ("ok" in a) w.resolve(a.ok);
          else w.reject(new Error(a.error));
        });
      }
    } finally {
      if (this.queue.length > 0) this.sendAfterTurn();
      else this.busy = false;
    }
  }
}
