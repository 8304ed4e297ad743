import type { MiddlewareHandler } from "hono";

/**
 * `X-Content-Type-Options: nosniff` on every answer, so a browser never runs a pushed
 * or queried body as script or style because it looks like one. Answers from Durable
 * Objects arrive with immutable headers and are copied first.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.headers.get("x-content-type-options") === "nosniff") return;
    try {
      c.res.headers.set("x-content-type-options", "nosniff");
    } catch {
      const copy = new Response(c.res.body, c.res);
      copy.headers.set("x-content-type-options", "nosniff");
      c.res = copy;
    }
  };
}
