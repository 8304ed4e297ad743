import { appFor } from "./app.js";
import { tierOf } from "./tier.js";

export { Alertmanager } from "../alertmanager/alertmanager_object.js";
export { PushGateway, RemoteWriteQueue, RuleEvaluator, ScrapeScheduler, SeriesStore } from "./objects.js";

/** A regional deployment: storage, scraping and the HTTP API for one region. */
export default {
  fetch(req: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    return appFor(env).fetch(req, env, ctx);
  },
  /** The cron trigger (every minute) only keeps the scheduler's and the rule
   * evaluator's alarms armed; the alarms fire at each target's and group's interval. */
  async scheduled(_event: ScheduledController, env: Env): Promise<void> {
    const tier = tierOf(env);
    await tier.scheduler().arm();
    await tier.rules()?.arm();
  },
} satisfies ExportedHandler<Env>;
