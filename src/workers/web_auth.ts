import bcrypt from "bcryptjs";
import type { MiddlewareHandler } from "hono";
import { parse } from "yaml";
import { z } from "zod";
import { constantTimeEqual } from "./auth.js";

/**
 * Read access control, like Prometheus' --web.config.file: when WEB_CONFIG (a secret
 * holding the same YAML, `basic_auth_users: {name: bcrypt hash}`) or READ_TOKEN is
 * set, every request needs valid basic auth or `Bearer <READ_TOKEN>` (the write token
 * is accepted too, since whoever may write may read). A WEB_CONFIG that cannot be read
 * locks everything (500) rather than opening it.
 */
export interface WebAuthSettings {
  WEB_CONFIG?: string;
  READ_TOKEN?: string;
  WRITE_TOKEN?: string;
}

const webConfigSchema = z
  .object({
    basic_auth_users: z.record(z.string(), z.string()).optional(),
    // TLS and HTTP headers belong to Cloudflare's edge here; accepted so the same file works.
    tls_server_config: z.unknown().optional(),
    http_server_config: z.unknown().optional(),
  })
  .strict();

/** bcrypt's check, a seam so tests can see which hashes a request was compared with. */
export type HashCompare = (password: string, hash: string) => Promise<boolean>;

/** Salt and digest of a dummy bcrypt hash (from no password anyone sends): an unknown
 * user's password is checked against it at the users' cost, so that an answer takes
 * as long whether or not the name exists. */
const DUMMY_SALT_AND_DIGEST = "7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z1IlRBC1q2aeXKtZ6Vy3AYbK";

/** A dummy hash at the highest cost among the users' hashes (10 when none is readable). */
export function dummyHashFor(hashes: Iterable<string>): string {
  let cost = 0;
  for (const h of hashes) {
    const m = /^\$2[abxy]?\$(\d\d)\$/.exec(h);
    if (m !== null) cost = Math.max(cost, Number(m[1]));
  }
  return `$2b$${String(cost === 0 ? 10 : cost).padStart(2, "0")}$${DUMMY_SALT_AND_DIGEST}`;
}

export function webAuth(settings: WebAuthSettings, compare: HashCompare = (p, h) => bcrypt.compare(p, h)): MiddlewareHandler {
  let users: Map<string, string> | undefined;
  let configError = "";
  if (settings.WEB_CONFIG !== undefined && settings.WEB_CONFIG.trim() !== "") {
    try {
      const parsed = webConfigSchema.parse(parse(settings.WEB_CONFIG) ?? {});
      users = new Map(Object.entries(parsed.basic_auth_users ?? {}));
    } catch (e) {
      configError = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    }
  }
  const dummy = dummyHashFor(users?.values() ?? []);
  const tokens = [settings.READ_TOKEN, settings.WRITE_TOKEN].filter((t): t is string => t !== undefined && t !== "");
  const readTokenSet = settings.READ_TOKEN !== undefined && settings.READ_TOKEN !== "";
  if (configError === "" && users === undefined && !readTokenSet) return (_c, next) => next();
  // bcrypt is slow on purpose; a verified header is remembered for this isolate.
  const verified = new Set<string>();

  return async (c, next) => {
    if (configError !== "") return c.text(`invalid WEB_CONFIG: ${configError}\n`, 500);
    const header = c.req.header("authorization") ?? "";
    if (verified.has(header)) return next();
    if (header.startsWith("Bearer ") && tokens.some((t) => constantTimeEqual(header, `Bearer ${t}`))) return next();
    if (header.startsWith("Basic ") && users !== undefined) {
      const creds = decodeBasic(header.slice(6));
      const hash = creds === undefined ? undefined : users.get(creds.user);
      // An unknown name pays for a comparison too: its timing must not tell it apart.
      const ok = creds !== undefined && (await compare(creds.password, hash ?? dummy)) && hash !== undefined;
      if (ok) {
        if (verified.size > 1000) verified.clear();
        verified.add(header);
        return next();
      }
    }
    const challenge = users !== undefined ? 'Basic realm="edgeprom"' : 'Bearer realm="edgeprom"';
    return c.text("Unauthorized\n", 401, { "www-authenticate": challenge });
  };
}

function decodeBasic(b64: string): { user: string; password: string } | undefined {
  try {
    const bin = atob(b64.trim());
    const text = new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
    const i = text.indexOf(":");
    return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
  } catch {
    return undefined;
  }
}
