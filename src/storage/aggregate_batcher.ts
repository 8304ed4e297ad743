import type { AggregateAnswer, AggregateRequest } from "../tsdb/rpc.js";
import type { PartialAggregate } from "../tsdb/pushdown.js";

interface Waiting {
  req: AggregateRequest;
  resolve: (p: PartialAggregate) => void;
  reject: (e: unknown) => void;
}

/**
 * Shares a shard's round trips between concurrent pushed-down aggregations (the
 * rules of a group, a dashboard's panels): a request goes out at once when none is
 * in flight to the shard; those arriving meanwhile wait for it and then go together
 * in one selectAggregates call. The shard answers requests one after another either
 * way, so waiting costs nothing, and a lone query never waits at all.
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
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        if (batch.length === 1) {
          const w = batch[0]!;
          await this.one(w.req).then(w.resolve, w.reject);
          continue;
        }
        let answers: AggregateAnswer[];
        try {
          answers = await this.many(batch.map((w) => w.req));
        } catch (e) {
          for (const w of batch) w.reject(e);
          continue;
        }
        batch.forEach((w, i) => {
          const a = answers[i]!;
          if ("ok" in a) w.resolve(a.ok);
          else w.reject(new Error(a.error));
        });
      }
    } finally {
      this.busy = false;
    }
  }
}
