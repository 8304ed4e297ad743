import { Hono } from "hono";
import { alertmanagersRoutes } from "../api/alertmanagers_routes.js";
import { adminRoutes } from "../api/admin_routes.js";
import { queryRoutes } from "../api/query_routes.js";
import { exemplarRoutes } from "../api/exemplar_routes.js";
import { rulesRoutes } from "../api/rules_routes.js";
import { seriesRoutes } from "../api/series_routes.js";
import { statusRoutes } from "../api/status_routes.js";
import { targetsRoutes } from "../api/targets_routes.js";
import { tsdbStatusRoutes } from "../api/tsdb_status_routes.js";
import { demoHandler } from "../demo/demo_exporter.js";
import { federateHandler } from "../federate/federate_handler.js";
import { remoteReadHandler } from "../remote/read_handler.js";
import { remoteWriteHandler } from "../remote/write_handler.js";
import { otlpMetricsHandler } from "../otlp/otlp_handler.js";
import { PUSHGATEWAY_PREFIX } from "../pushgateway/http_api.js";
import { ALERTMANAGER_PREFIX, stripPrefix } from "../alertmanager/mount.js";
import { metricsHandler } from "../telemetry/metrics_handler.js";
import { Counter, Histogram, Registry } from "../telemetry/registry.js";
import { storageCollector } from "../telemetry/storage_collector.js";
import { rulesCollector } from "../rules/rules_collector.js";
import { uiRoutes } from "../web/routes.js";
import { tierOf } from "./tier.js";
import { requireBearer } from "./auth.js";
import { webAuth } from "./web_auth.js";
import { securityHeaders } from "./security_headers.js";
import { limitsFrom } from "../model/limits.js";
import { apiSwitchesFrom } from "../model/api_switches.js";
import { labelsFromRecord } from "../model/labels.js";
import { PROMETHEUS_API_VERSION } from "../model/version.js";

const DEFAULT_MAX_BODY = 32 << 20;
const SLOW_REQUEST_MS = 1000;

/** The HTTP surface shared by every tier. Built once per isolate; Durable Object
 * stubs belong to the request that made them, so storage is opened per request. */
export function buildApp(env: Env): Hono {
  const tier = tierOf(env);
  const storage = () => tier.storage();
  const engine = tier.engine;
  const scheduler = () => tier.scheduler();
  const rules = () => tier.rules();
  const config = tier.config;
  const startTime = Date.now();
  const registry = new Registry();
  const requests = registry.register(new Counter("edgeprom_http_requests_total", "HTTP requests by handler and status code."));
  const durations = registry.register(
    new Histogram("edgeprom_http_request_duration_seconds", "Latency of HTTP requests by handler."),
  );
  registry.register(storageCollector(storage, tier.name, async () => ({ ScrapeScheduler: await scheduler().usage() })));
  registry.register(rulesCollector(rules));

  const limits = limitsFrom(env);
  const app = new Hono();
  app.use("*", securityHeaders());
  app.use("*", async (c, next) => {
    const start = Date.now();
    await next();
    const handler = c.req.routePath === "/*" ? "other" : c.req.routePath;
    requests.inc({ handler, code: String(c.res.status) });
    durations.observe({ handler }, (Date.now() - start) / 1000);
    const ms = Date.now() - start;
    // One line per event worth looking at: failed or slow requests, not every scrape.
    if (c.res.status >= 400 || ms >= SLOW_REQUEST_MS) {
      console.log(JSON.stringify({ tier: tier.name, event: "request", method: c.req.method, path: new URL(c.req.url).pathname, status: c.res.status, ms }));
    }
  });

  app.use("*", webAuth(env));
  // API answers leave the Worker uncompressed, unlike Prometheus': on Cloudflare the
  // edge compresses JSON for each client as its Accept-Encoding allows (the Worker
  // sees only a normalised "br, gzip", the client's own in request.cf); Miniflare's
  // entry worker does the same for requests through its URL, and `npm start`'s
  // loopback sockets send them as they are. Gzip set here was a second compressor in
  // the Worker's own time (0.8 MB of query_range: about 25 ms of zlib on this
  // project's machine) that took the choice of encoding away from the edge.
  app.get("/-/healthy", (c) => c.text("Prometheus Server is Healthy.\n"));
  app.get("/-/ready", (c) => c.text("Prometheus Server is Ready.\n"));
  app.get("/metrics", (c) => metricsHandler(c.req.raw, registry));
  app.get("/demo/metrics", (c) => demoHandler(c.req.raw));
  // Samples written here are also forwarded to the tier's remote_write queues.
  app.post("/api/v1/write", requireBearer(env.WRITE_TOKEN), async (c) =>
    remoteWriteHandler(c.req.raw, await tier.appendStorage(), { maxBodyBytes: Number(env.MAX_BODY_BYTES || DEFAULT_MAX_BODY), limits }),
  );
  // OTLP/HTTP metrics, translated as Prometheus 3's receiver does; written like remote write.
  app.post("/api/v1/otlp/v1/metrics", requireBearer(env.WRITE_TOKEN), async (c) =>
    otlpMetricsHandler(c.req.raw, await tier.appendStorage(), {
      maxBodyBytes: Number(env.MAX_BODY_BYTES || DEFAULT_MAX_BODY),
      limits,
      lookbackDeltaMs: engine.opts.lookbackDeltaMs,
      promoteScopeMetadata: env.OTLP_PROMOTE_SCOPE_METADATA === "true",
    }),
  );
  app.get("/federate", async (c) =>
    federateHandler(c.req.raw, storage().querier(), {
      externalLabels: labelsFromRecord((await config.get()).config?.global.externalLabels ?? {}),
      lookbackDeltaMs: engine.opts.lookbackDeltaMs,
    }),
  );
  const switches = apiSwitchesFrom(env);
  // Prometheus' answers when the flags are off, status and body alike.
  app.on(["POST", "PUT"], "/-/reload", async (c, next) =>
    switches.lifecycle ? next() : c.body("Lifecycle API is not enabled.", 403, { "content-type": "text/plain; charset=utf-8" }),
  );
  app.on(["POST", "PUT"], "/api/v1/admin/*", async (c, next) =>
    switches.adminApi ? next() : c.json({ status: "error", errorType: "unavailable", error: "admin APIs disabled" }, 500),
  );
  app.on(["POST", "PUT"], "/-/reload", requireBearer(env.WRITE_TOKEN), async (c) => {
    const r = await scheduler().reload();
    // Rules reload with the configuration, as Prometheus' reloaders do.
    const rr = (await rules()?.reload()) ?? { ok: true, error: "" };
    config.invalidate();
    const errors = [r, rr].filter((x) => !x.ok).map((x) => x.error);
    return errors.length === 0 ? c.text("") : c.text(`failed to reload config: ${errors.join("; ")}\n`, 500);
  });
  // The Pushgateway's whole API lives in its Durable Object; writes need the token.
  app.get(PUSHGATEWAY_PREFIX, (c) => c.redirect("/push"));
  app.get(`${PUSHGATEWAY_PREFIX}/`, (c) => c.redirect("/push"));
  app.all(`${PUSHGATEWAY_PREFIX}/*`, requireBearer(env.WRITE_TOKEN, { readsOpen: true }), (c) => {
    const stub = tier.pushgateway();
    return stub === undefined ? c.text("404 page not found\n", 404) : stub.fetch(c.req.raw);
  });
  // The tier's Alertmanager (v2 API, /-/healthy, /-/ready, /-/reload) in its Durable Object.
  app.all(`${ALERTMANAGER_PREFIX}/*`, requireBearer(env.WRITE_TOKEN, { readsOpen: true }), (c) => {
    const stub = tier.alertmanager();
    return stub === undefined ? c.text("404 page not found\n", 404) : stub.fetch(stripPrefix(c.req.raw, ALERTMANAGER_PREFIX));
  });
  app.use("/api/v1/admin/*", requireBearer(env.WRITE_TOKEN));
  app.route("/api/v1", adminRoutes({ storage }));
  app.post("/api/v1/read", (c) => remoteReadHandler(c.req.raw, storage()));
  app.route("/api/v1", seriesRoutes({ querier: () => storage().querier() }));
  app.route("/api/v1", queryRoutes({ querier: () => storage().querier(), engine, maxQueryLength: limits.queryLength }));
  app.route("/api/v1", exemplarRoutes({ querier: () => storage().querier() }));
  app.route(
    "/api/v1",
    targetsRoutes({
      status: () => scheduler().status(),
      configYaml: () => scheduler().configYaml(),
      flags: {
        "storage.tsdb.retention.time": env.STORAGE_RETENTION || "15d",
        "storage.tsdb.retention.size": env.STORAGE_RETENTION_SIZE || "0B",
        "storage.tsdb.out-of-order-time-window": env.STORAGE_OOO_WINDOW || "10m",
        "query.lookback-delta": "5m",
        "query.max-samples": String(engine.opts.maxSamples),
        "query.timeout": "2m",
        "web.enable-admin-api": String(switches.adminApi),
        "web.enable-lifecycle": String(switches.lifecycle),
      },
    }),
  );
  app.route("/api/v1", rulesRoutes({ status: async () => (await rules()?.status()) ?? { loadError: "", groups: [] } }));
  app.route(
    "/api/v1",
    alertmanagersRoutes({ alertmanagers: async () => (await rules()?.alertmanagers()) ?? { activeAlertmanagers: [], droppedAlertmanagers: [] } }),
  );
  app.route("/api/v1", statusRoutes({ version: PROMETHEUS_API_VERSION, startTime, storageRetention: env.STORAGE_RETENTION || "15d" }));
  app.route("/api/v1", tsdbStatusRoutes({ storage }));
  // The web UI: /, /graph, the pages and /assets/*.
  app.route("/", uiRoutes({ tier: tier.name }));
  app.notFound((c) => c.text("404 page not found\n", 404));
  app.onError((err, c) => {
    console.log(JSON.stringify({ tier: tier.name, event: "error", path: new URL(c.req.url).pathname, error: err.message }));
    return c.text(`internal error: ${err.message}\n`, 500);
  });
  return app;
}

const apps = new WeakMap<object, Hono>();

/** One app per env object: Workers pass the same env to every request of an isolate. */
export function appFor(env: Env): Hono {
  let app = apps.get(env);
  if (app === undefined) apps.set(env, (app = buildApp(env)));
  return app;
}
