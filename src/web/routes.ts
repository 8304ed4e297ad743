import { Hono } from "hono";
import { AssetStore } from "./asset_store.js";
import { manifest } from "./generated/ui_bundle.js";
import { pageShell } from "./page_shell.js";
import { PAGES } from "./pages.js";

export interface UiOptions {
  /** The tier's name (env TIER): shown in the title and choosing the navigation. */
  tier: string;
}

/**
 * The pages' Content-Security-Policy: scripts, styles, API calls and fonts from this
 * origin only, no inline script (the shell has none; CodeMirror and uPlot set styles
 * from script, hence the inline styles), no plugins, no framing, forms and <base>
 * pinned to this origin. The favicon is a data: URL.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Prometheus 3's status pages live on one page here; their old paths still lead there. */
const STATUS_ALIASES: Record<string, string> = {
  "/config": "/status#config",
  "/flags": "/status#flags",
  "/tsdb-status": "/status#storage",
};

/** The web UI: a page shell per path, the bundled assets under /assets/, and the
 * redirects Prometheus users' bookmarks rely on (/ and /graph). */
export function uiRoutes(opts: UiOptions): Hono {
  const app = new Hono();
  const store = new AssetStore();
  const html = new Map(PAGES.map((p) => [p.path, pageShell(p, opts.tier, manifest)]));

  // Prometheus answers / with 302 Found to its home page.
  app.get("/", (c) => c.redirect("/query", 302));
  // Old expression-browser links (/graph?g0.expr=...) keep their panels.
  app.get("/graph", (c) => c.redirect(`/query${new URL(c.req.url).search}`, 302));
  for (const [from, to] of Object.entries(STATUS_ALIASES)) app.get(from, (c) => c.redirect(to, 302));
  for (const [path, body] of html) {
    app.get(path, () => new Response(body, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache", "content-security-policy": UI_CSP } }));
  }
  app.get("/assets/:name", (c) => store.serve(c.req.param("name"), c.req.raw));
  return app;
}
