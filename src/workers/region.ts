import { appFor, schedulerStub } from "./app.js";
import type { TierEnv } from "./env.js";

export { PushGateway } from "../pushgateway/push_gateway.js";
export { RemoteWriteQueue } from "../remote/remote_write_queue.js";
export { ScrapeScheduler } from "../scrape/scheduler.js";
export { SeriesStore } from "../tsdb/series_store.js";

/** A regional deployment: storage, scraping and the HTTP API for one region. */
export default {
  fetch(req: Request, env: TierEnv, ctx: ExecutionContext): Response | Promise<Response> {
    return appFor(env).fetch(req, env, ctx);
  },
  /** The cron trigger (every minute) only keeps the scheduler's alarm armed; the
   * alarm itself fires at each target's interval. */
  async scheduled(_event: ScheduledController, env: TierEnv): Promise<void> {
    await schedulerStub(env).arm();
  },
} satisfies ExportedHandler<TierEnv>;
