import type { UiManifest } from "./generated/ui_bundle.js";
import type { PageInfo } from "./pages.js";

/** The HTML every page starts from: the tier's name for the browser code, the core
 * script and style, and a preload of the page's own chunks so that they download in
 * parallel with the core instead of after it. */
export function pageShell(page: PageInfo, tier: string, manifest: UiManifest): string {
  const asset = (n: string) => `/assets/${encodeURI(n)}`;
  const preloads = [...manifest.core.filter((n) => n !== manifest.entry), ...(manifest.pages[page.id] ?? [])]
    .filter((n) => n.endsWith(".js"))
    .map((n) => `<link rel="modulepreload" href="${asset(n)}">`);
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)} · edgeprom ${escapeHtml(tier)}</title>`,
    `<meta name="edgeprom-tier" content="${escapeHtml(tier)}">`,
    '<meta name="color-scheme" content="light dark">',
    // No favicon request: the UI makes no request it does not need.
    '<link rel="icon" href="data:,">',
    ...manifest.styles.map((n) => `<link rel="stylesheet" href="${asset(n)}">`),
    `<script type="module" src="${asset(manifest.entry)}"></script>`,
    ...preloads,
    "</head>",
    "<body>",
    '<div id="app"><p class="boot">Loading…</p></div>',
    "<noscript><p>The edgeprom UI needs JavaScript. The HTTP API (/api/v1/*) works without it.</p></noscript>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
