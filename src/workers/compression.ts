import type { MiddlewareHandler } from "hono";

import { SHORT_ANSWER_BYTES } from "../api/responses.js";

/**
 * Gzips JSON answers for clients that accept it, as Prometheus does for its API, except
 * answers that say they are shorter than `minBytes` (responses.ts): Prometheus gzips
 * those too, but for them the gzip stream costs more time than it saves. The
 * Workers runtime compresses a body itself when a response names its Content-Encoding,
 * so this only sets the header (compressing here as well would encode twice).
 * Deployed, Cloudflare's edge also compresses for browsers; this covers workerd locally
 * and Worker-to-Worker calls.
 */
export function gzipJson(minBytes = SHORT_ANSWER_BYTES): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (!/\bgzip\b/i.test(c.req.header("accept-encoding") ?? "")) return;
    if (res.headers.has("content-encoding") || res.body === null) return;
    if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) return;
    const length = Number(res.headers.get("content-length") ?? "NaN");
    if (length < minBytes) return;
    const headers = new Headers(res.headers);
    headers.set("content-encoding", "gzip");
    headers.append("vary", "Accept-Encoding");
    headers.delete("content-length");
    c.res = new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}
