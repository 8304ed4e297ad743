import { RuleEvaluator as RuleEvaluatorObject } from "../rules/rule_evaluator.js";
import { ScrapeScheduler as ScrapeSchedulerObject } from "../scrape/scheduler.js";
import { tierOf } from "./tier.js";

export { PushGateway } from "../pushgateway/push_gateway.js";
export { RemoteWriteQueue } from "../remote/remote_write_queue.js";
export { SeriesStore } from "../tsdb/series_store.js";

/** The tier's ScrapeScheduler, wired to the tier's storage and configuration. */
export class ScrapeScheduler extends ScrapeSchedulerObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, tierOf(env));
  }
}

/** The tier's RuleEvaluator, wired to the tier's storage, engine and configuration. */
export class RuleEvaluator extends RuleEvaluatorObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, tierOf(env));
  }
}
