import { Hono } from "hono";
import { labelsToRecord, type Labels } from "../model/labels.js";
import { formatModelDuration } from "../relabel/index.js";
import type { SchedulerStatus } from "../scrape/scheduler.js";
import { matchesLabels, type Matcher } from "../model/matchers.js";
import { ParseError } from "../promql/parser/errors.js";
import { parseSeriesSelector } from "../promql/parser/selector.js";
import { ApiError, success } from "./responses.js";
import { handle } from "./series_routes.js";

export interface TargetsDeps {
  status(): Promise<SchedulerStatus>;
  configYaml(): Promise<string>;
  flags: Record<string, string>;
}

/** /api/v1/targets, /api/v1/scrape_pools, /api/v1/status/config, /api/v1/status/flags
 * in Prometheus' JSON shapes. */
export function targetsRoutes(deps: TargetsDeps): Hono {
  const app = new Hono();

  app.get("/targets", (c) =>
    handle(async () => {
      const state = c.req.query("state") ?? "any";
      const pools = new Set(c.req.queries("scrapePool") ?? []);
      const inPool = (p: string) => pools.size === 0 || pools.has(p);
      const st = await deps.status();
      const activeTargets =
        state === "dropped"
          ? []
          : st.active
              .filter((t) => inPool(t.pool))
              .map((t) => ({
                discoveredLabels: rec(t.discoveredLabels),
                labels: rec(t.labels),
                scrapePool: t.pool,
                scrapeUrl: t.url,
                globalUrl: t.url,
                lastError: t.state.lastError,
                lastScrape: t.state.lastScrape > 0 ? new Date(t.state.lastScrape).toISOString() : "0001-01-01T00:00:00Z",
                lastScrapeDuration: t.state.lastScrapeDurationMs / 1000,
                health: t.state.health,
                scrapeInterval: formatModelDuration(t.intervalMs),
                scrapeTimeout: formatModelDuration(t.timeoutMs),
                // edgeprom's own: samples of the last scrape whose timestamps were far
                // from the scrape time, and the largest distance (Prometheus drops them silently).
                skewedSamples: t.state.skewedSamples,
                maxSkewSeconds: t.state.maxSkewMs / 1000,
              }));
      const dropped = state === "active" ? [] : st.dropped.filter((t) => inPool(t.pool));
      const droppedTargetCounts: Record<string, number> = {};
      for (const t of st.dropped) droppedTargetCounts[t.pool] = (droppedTargetCounts[t.pool] ?? 0) + 1;
      return success({
        activeTargets,
        droppedTargets: dropped.map((t) => ({ discoveredLabels: rec(t.discoveredLabels), scrapePool: t.pool })),
        droppedTargetCounts,
      });
    }),
  );

  app.get("/scrape_pools", () =>
    handle(async () => {
      const st = await deps.status();
      const pools = new Set([...st.active.map((t) => t.pool), ...st.dropped.map((t) => t.pool)]);
      return success({ scrapePools: [...pools].sort() });
    }),
  );

  app.get("/targets/metadata", (c) =>
    handle(async () => {
      const match = c.req.query("match_target");
      let matchers: Matcher[] = [];
      if (match !== undefined && match !== "") {
        try {
          matchers = parseSeriesSelector(match);
        } catch (e) {
          if (e instanceof ParseError) throw new ApiError("bad_data", e.message);
          throw e;
        }
      }
      const metric = c.req.query("metric");
      const limit = Number(c.req.query("limit") ?? "-1");
      const out: unknown[] = [];
      for (const t of (await deps.status()).active) {
        if (!matchesLabels(matchers, t.labels)) continue;
        for (const [name, m] of Object.entries(t.state.metadata ?? {})) {
          if (metric !== undefined && metric !== "" && name !== metric) continue;
          if (limit >= 0 && out.length >= limit) break;
          out.push({ target: rec(t.labels), metric: name, type: m.type, help: m.help, unit: m.unit });
        }
      }
      return success(out);
    }),
  );

  app.get("/metadata", (c) =>
    handle(async () => {
      const metric = c.req.query("metric");
      const limit = Number(c.req.query("limit") ?? "-1");
      const perMetric = Number(c.req.query("limit_per_metric") ?? "-1");
      const out: Record<string, { type: string; help: string; unit: string }[]> = {};
      for (const t of (await deps.status()).active) {
        for (const [name, m] of Object.entries(t.state.metadata ?? {})) {
          if (metric !== undefined && metric !== "" && name !== metric) continue;
          const list = out[name];
          if (list === undefined) {
            if (limit >= 0 && Object.keys(out).length >= limit) continue;
            out[name] = [{ type: m.type, help: m.help, unit: m.unit }];
          } else if ((perMetric < 0 || list.length < perMetric) && !list.some((x) => x.type === m.type && x.help === m.help && x.unit === m.unit)) {
            list.push({ type: m.type, help: m.help, unit: m.unit });
          }
        }
      }
      return success(out);
    }),
  );

  app.get("/status/config", () => handle(async () => success({ yaml: await deps.configYaml() })));
  app.get("/status/flags", () => success(deps.flags));
  return app;
}

function rec(ls: Labels): Record<string, string> {
  return labelsToRecord(ls);
}
