import { appFor, rulesStub, schedulerStub } from "./app.js";
import type { TierEnv } from "./env.js";

export { Alertmanager } from "../alertmanager/alertmanager_object.js";
export { PushGateway } from "../pushgateway/push_gateway.js";
export { RemoteWriteQueue } from "../remote/remote_write_queue.js";
export { RuleEvaluator } from "../rules/rule_evaluator.js";
export { ScrapeScheduler } from "../scrape/scheduler.js";
export { SeriesStore } from "../tsdb/series_store.js";

/** A regional deployment: storage, scraping and the HTTP API for one region. */
export default {
  fetch(req: Request, env: TierEnv, ctx: ExecutionContext): Response | Promise<Response> {
    return appFor(env).fetch(req, env, ctx);
  },
  /** The cron trigger (every minute) only keeps the scheduler's and the rule
   * evaluator's alarms armed; the alarms fire at each target's and group's interval. */
  async scheduled(_event: ScheduledController, env: TierEnv): Promise<void> {
    await schedulerStub(env).arm();
    await rulesStub(env)?.arm();
  },
} satisfies ExportedHandler<TierEnv>;
