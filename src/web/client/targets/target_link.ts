import type { ActiveTarget } from "./target_filter.js";

/** Hosts a tier reaches through its own bindings rather than the network: its
 * Pushgateway (scrape/pushgateway_job.ts) and, on the global tier, the regions named
 * in SERVICE_TARGETS. A browser cannot open them. */
export const INTERNAL_HOST_SUFFIX = ".edgeprom.internal";
/** The tier's own Pushgateway, scraped in-process. */
export const PUSHGATEWAY_HOST = `pushgateway${INTERNAL_HOST_SUFFIX}`;

export interface TargetLink {
  /** What the endpoint cell links to, or null when nothing public serves it. */
  href: string | null;
  text: string;
  /** The scrape URL behind a public link to an internal target. */
  scrapedAs?: string;
}

/** Where a browser can open a target's endpoint. Targets reached through a binding are
 * linked where the same path is public: the tier's own origin for its Pushgateway, a
 * region's `__ui_url__` for a federated region; others link to their scrape URL. */
export function targetLink(t: Pick<ActiveTarget, "scrapeUrl" | "globalUrl" | "discoveredLabels">, tierOrigin: string): TargetLink {
  let url: URL;
  try {
    url = new URL(t.scrapeUrl);
  } catch {
    return { href: null, text: t.scrapeUrl };
  }
  if (!url.hostname.endsWith(INTERNAL_HOST_SUFFIX)) return { href: t.globalUrl || t.scrapeUrl, text: t.scrapeUrl };
  const ui = t.discoveredLabels["__ui_url__"];
  let base: URL | undefined;
  try {
    if (url.hostname === PUSHGATEWAY_HOST) base = new URL(tierOrigin);
    else if (ui !== undefined && ui !== "") base = new URL(ui, tierOrigin);
  } catch {
    base = undefined;
  }
  if (base === undefined) return { href: null, text: t.scrapeUrl, scrapedAs: t.scrapeUrl };
  const href = `${base.origin}${base.pathname.replace(/\/+$/, "")}${url.pathname}${url.search}`;
  return { href, text: href, scrapedAs: t.scrapeUrl };
}
