import { appFor } from "./app.js";
import type { TierEnv } from "./env.js";

export { SeriesStore } from "../tsdb/series_store.js";

/** A regional deployment: storage, ingestion and the HTTP API for one region. */
export default {
  fetch(req: Request, env: TierEnv, ctx: ExecutionContext): Response | Promise<Response> {
    return appFor(env).fetch(req, env, ctx);
  },
} satisfies ExportedHandler<TierEnv>;
