import { Hono } from "hono";
import { success } from "./responses.js";

export interface StatusDeps {
  version: string;
  startTime: number;
  storageRetention: string;
}

/** /api/v1/status/buildinfo and /runtimeinfo: enough for Grafana's data source health
 * check and for promtool. */
export function statusRoutes(deps: StatusDeps): Hono {
  const app = new Hono();
  app.get("/status/buildinfo", () =>
    success({
      version: deps.version,
      revision: "edgeprom",
      branch: "main",
      buildUser: "edgeprom",
      buildDate: "",
      goVersion: "n/a (TypeScript on Cloudflare Workers)",
    }),
  );
  app.get("/status/runtimeinfo", () =>
    success({
      startTime: new Date(deps.startTime).toISOString(),
      CWD: "/",
      reloadConfigSuccess: true,
      lastConfigTime: new Date(deps.startTime).toISOString(),
      corruptionCount: 0,
      goroutineCount: 0,
      GOMAXPROCS: 1,
      GOMEMLIMIT: 134217728,
      GOGC: "",
      GODEBUG: "",
      storageRetention: deps.storageRetention,
    }),
  );
  return app;
}
