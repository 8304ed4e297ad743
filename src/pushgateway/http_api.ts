import { Hono, type Context } from "hono";
import { readBodyLimited } from "../encoding/body.js";
import { ProtobufError } from "../encoding/protobuf.js";
import { DEFAULT_LIMITS, labelLimitError, type InputLimits } from "../model/limits.js";
import type { DtoFamily } from "../textparse/dto.js";
import { decodeDelimitedFamilies, DELIMITED_PROTOBUF_TYPE, encodeDelimitedFamilies, isDelimitedProtobuf } from "../textparse/dto_protobuf.js";
import { dtoToFamilies } from "../textparse/dto_exposition.js";
import { FamilyParseError, parseTextFamilies } from "../textparse/dto_text.js";
import { TEXT_CONTENT_TYPE } from "../textparse/content-type.js";
import { writeText } from "../textparse/writer.js";
import { goJson, goTime, groupsJson } from "./api_json.js";
import type { Gateway } from "./gateway.js";
import { GroupingKeyError, parsePushPath } from "./grouping_key.js";

/** Where every tier mounts its gateway, as `--web.route-prefix=/pushgateway` does. */
export const PUSHGATEWAY_PREFIX = "/pushgateway";

export interface GatewayApiOptions {
  /** Largest accepted push body, after decompression. */
  maxBodyBytes: number;
  /** Series per push and labels per series; beyond them a push is refused whole. */
  limits?: InputLimits;
  /** --web.enable-admin-api: without it the wipe route does not exist (404), as in
   * the real gateway. */
  adminApi: boolean;
}

const CORS = {
  "access-control-allow-headers": "Accept, Authorization, Content-Type, Origin",
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Date",
  "cache-control": "no-cache, no-store, must-revalidate",
};

/** The real gateway's HTTP API under PUSHGATEWAY_PREFIX; status codes and messages
 * are its own, so client libraries cannot tell the difference. */
export function gatewayApp(gw: Gateway, opts: GatewayApiOptions): Hono {
  const app = new Hono().basePath(PUSHGATEWAY_PREFIX);
  const counted = (handler: string) => async (c: Context, next: () => Promise<void>) => {
    await next();
    gw.own.count(handler, c.req.method, c.res.status);
  };

  app.get("/-/healthy", counted("healthy"), (c) => c.text("OK"));
  app.get("/-/ready", counted("ready"), (c) => c.text("OK"));
  app.get("/metrics", (c) => exposition(c.req.raw, gw));
  for (const method of ["PUT", "POST", "DELETE"] as const) {
    const handler = method === "DELETE" ? "delete" : "push";
    const write = async (c: Context): Promise<Response> => {
      let path: string;
      try {
        path = decodeURIComponent(new URL(c.req.url).pathname).slice(PUSHGATEWAY_PREFIX.length);
      } catch {
        return goError("400 Bad Request", 400);
      }
      let labels;
      try {
        labels = parsePushPath(path);
      } catch (e) {
        if (e instanceof GroupingKeyError) return goError(e.message, 400);
        throw e;
      }
      if (labels === null) return goError("404 page not found", 404);
      if (method === "DELETE") {
        gw.delete(labels);
        return c.body(null, 202);
      }
      const parsed = await readFamilies(c.req.raw, opts.maxBodyBytes);
      if (parsed instanceof Response) return parsed;
      const over = limitError(parsed, labels, opts.limits ?? DEFAULT_LIMITS);
      if (over !== undefined) return goError(`push rejected, nothing was changed: ${over}`, 400);
      const r = gw.push(labels, parsed, method === "PUT");
      if (!r.ok) return goError(`pushed metrics are invalid or inconsistent with existing metrics: ${r.error}`, 400);
      return c.body(null, 200);
    };
    for (const path of ["/metrics/job/*", "/metrics/job@base64/*"]) app.on(method, path, counted(handler), write);
  }

  const api = new Hono();
  api.use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(CORS)) c.res.headers.set(k, v);
  });
  api.options("/*", counted("api/v1/options"), (c) => c.body(null, 200));
  api.get("/metrics", counted("api/v1/metrics"), (c) => json(groupsJson(gw.store.groups())));
  api.get("/status", counted("api/v1/status"), () =>
    json({
      build_information: { branch: "", buildDate: "", buildUser: "", goVersion: "", revision: "", version: gw.version },
      flags: {
        "push.disable-consistency-check": "false",
        "web.enable-admin-api": String(opts.adminApi),
        "web.enable-lifecycle": "false",
        "web.route-prefix": PUSHGATEWAY_PREFIX,
        "persistence.file": "",
        "persistence.interval": "0s",
      },
      start_time: goTime(gw.startTime),
    }),
  );
  if (opts.adminApi) {
    api.put("/admin/wipe", counted("wipe"), (c) => {
      gw.wipe();
      return c.body(null, 202);
    });
  }
  app.route("/api/v1", api);
  app.notFound(() => goError("404 page not found", 404));
  return app;
}

function limitError(families: DtoFamily[], grouping: Record<string, string>, limits: InputLimits): string | undefined {
  let n = 0;
  for (const f of families) n += f.metrics.length;
  if (limits.seriesPerPush > 0 && n > limits.seriesPerPush) return `${n} series in one push, more than the limit of ${limits.seriesPerPush}`;
  for (const f of families) {
    for (const m of f.metrics) {
      const names = new Set(m.labels.map((l) => l.name));
      const labels = [{ name: "__name__", value: f.name }, ...m.labels, ...Object.entries(grouping).filter(([k]) => !names.has(k)).map(([name, value]) => ({ name, value }))];
      const err = labelLimitError(labels, limits);
      if (err !== undefined) return err;
    }
  }
  return undefined;
}

/** The exposition the region's scrape (and anyone else) reads: delimited protobuf
 * when asked for, the text format otherwise. Its entity tag is the gateway's revision
 * and the format, so a scrape of an unchanged gateway is answered 304 Not Modified
 * without gathering or encoding anything (the scrape loop then re-appends what it
 * parsed last time). */
function exposition(req: Request, gw: Gateway): Response {
  const accept = req.headers.get("accept") ?? "";
  const proto = accept.split(",").some((part) => isDelimitedProtobuf(part));
  const etag = `"${gw.revision}.${proto ? "pb" : "txt"}"`;
  const type = proto ? DELIMITED_PROTOBUF_TYPE : TEXT_CONTENT_TYPE;
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: { etag, "content-type": type } });
  const families = gw.gather();
  const body = proto ? encodeDelimitedFamilies(families) : writeText(dtoToFamilies(families));
  return new Response(body, { headers: { "content-type": type, etag } });
}

/** A push body as families, or the 400 the real gateway answers. Gzip bodies are
 * accepted as the real gateway accepts them. */
async function readFamilies(req: Request, maxBytes: number): Promise<DtoFamily[] | Response> {
  let body: Uint8Array | null;
  try {
    body = await readBodyLimited(req, maxBytes, { gunzip: true });
  } catch (e) {
    return goError(`failed to read request body: ${e instanceof Error ? e.message : String(e)}`, 400);
  }
  if (body === null) return goError(`request body larger than ${maxBytes} bytes`, 413);
  try {
    if (isDelimitedProtobuf(req.headers.get("content-type"))) return decodeDelimitedFamilies(body);
    return parseTextFamilies(new TextDecoder().decode(body));
  } catch (e) {
    if (e instanceof FamilyParseError || e instanceof ProtobufError) return goError(e.message, 400);
    throw e;
  }
}

/** Go's http.Error: the message and a newline, as plain text. */
function goError(message: string, status: number): Response {
  return new Response(message + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });
}

function json(data: Parameters<typeof goJson>[0]): Response {
  return new Response(goJson({ status: "success", data }), { headers: { "content-type": "application/json" } });
}
