import type { MiddlewareHandler } from "hono";

/** Guards a write endpoint with a bearer token when one is configured (a Worker
 * secret). Compared in constant time so the token cannot be guessed byte by byte. */
export function requireBearer(token: string | undefined, opts: { readsOpen?: boolean } = {}): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined || token === "") return next();
    if (opts.readsOpen === true && SAFE_METHODS.has(c.req.method)) return next();
    const got = c.req.header("authorization") ?? "";
    const want = `Bearer ${token}`;
    if (!constantTimeEqual(got, want)) {
      return c.text("unauthorized: a valid bearer token is required\n", 401, { "www-authenticate": 'Bearer realm="edgeprom"' });
    }
    return next();
  };
}

/** Methods that change nothing; with `readsOpen` they need no token. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
