import { appFor } from "./app.js";
import type { TierEnv } from "./env.js";

export { SeriesStore } from "../tsdb/series_store.js";

/** The global deployment: the same storage and API as a region, over the series it
 * gathers from every region. */
export default {
  fetch(req: Request, env: TierEnv, ctx: ExecutionContext): Response | Promise<Response> {
    return appFor(env).fetch(req, env, ctx);
  },
} satisfies ExportedHandler<TierEnv>;
