import { Hono } from "hono";
import type { Storage } from "../storage/storage.js";
import { Params } from "./params.js";
import { handle } from "./series_routes.js";

export interface AdminDeps {
  storage(): Storage;
}

/** The TSDB admin API: delete_series deletes at once (chunks are rewritten, there are
 * no tombstones), so clean_tombstones has nothing left to do. Callers guard these
 * routes with the write token. */
export function adminRoutes(deps: AdminDeps): Hono {
  const app = new Hono();
  app.on(["POST", "PUT"], "/admin/tsdb/delete_series", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      const sets = p.matchers(true);
      const start = p.time("start", -8640000000000000);
      const end = p.time("end", 8640000000000000);
      const storage = deps.storage();
      let series = 0;
      let samples = 0;
      for (const m of sets) {
        const r = await storage.deleteSeries(m, start, end);
        series += r.series;
        samples += r.samples;
      }
      console.log(JSON.stringify({ event: "delete_series", match: p.all("match[]"), start, end, deleted_series: series, deleted_samples: samples }));
      return new Response(null, { status: 204 });
    }),
  );
  app.on(["POST", "PUT"], "/admin/tsdb/clean_tombstones", () => new Response(null, { status: 204 }));
  return app;
}
