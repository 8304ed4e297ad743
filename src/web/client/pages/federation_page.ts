import { api } from "../api.js";
import { healthBadge, labelBadges } from "../components/labels.js";
import { apiFailure, notice } from "../components/notice.js";
import { h, replace, safeHref } from "../dom.js";
import { humanizeDuration, parseApiTime, relativeTime } from "../format/duration.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";
import type { ActiveTarget, TargetsData } from "../targets/target_filter.js";

const REFRESH_MS = 15_000;

/** The regions this tier federates: every target of a job that scrapes `/federate`,
 * with its health, last federation, how many series it sent and a link to its UI. */
export function render(ctx: PageContext): PageView {
  const content = h("div", { class: "federation", "aria-busy": "true" });
  ctx.root.append(
    pageHeading("Federation", h("button", { type: "button", class: "btn", onclick: () => void load() }, "Refresh")),
    h(
      "p",
      { class: "muted" },
      "Each region is a target of a scrape job with metrics_path /federate. A region's link leads to its own UI: the target's ",
      h("code", null, "__ui_url__"),
      " label when its configuration sets one, else the address it is federated from.",
    ),
    content,
  );

  async function load(): Promise<void> {
    content.setAttribute("aria-busy", "true");
    try {
      const targets = (await api<TargetsData>("/api/v1/targets", { state: "active" }, { signal: ctx.signal })).data.activeTargets;
      const regions = targets.filter(isFederation).sort((a, b) => (a.scrapeUrl < b.scrapeUrl ? -1 : 1));
      if (regions.length === 0) {
        replace(content, notice("info", "No regions", "This tier scrapes no /federate endpoint, so it federates no regions. On a region tier, the global tier's UI shows the federation."));
        return;
      }
      const series = await seriesCounts(regions, ctx.signal);
      const now = Date.now();
      const up = regions.filter((r) => r.health === "up").length;
      replace(
        content,
        h("p", { class: "summary" }, `${up} of ${regions.length} regions up`),
        h(
          "table",
          { class: "data-table federation-table" },
          h("thead", null, h("tr", null, ["Region", "State", "Last federation", "Duration", "Series", "Matchers", "Error", "UI"].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            null,
            regions.map((t) => {
              const last = parseApiTime(t.lastScrape);
              const count = series.get(key(t));
              return h(
                "tr",
                { "data-region": t.labels["instance"] ?? t.scrapeUrl },
                h("td", null, h("strong", null, t.labels["instance"] ?? t.scrapeUrl), labelBadges(without(t.labels, "instance"))),
                h("td", null, healthBadge(t.health)),
                h("td", { title: t.lastScrape }, relativeTime(last, now), h("div", { class: "muted small" }, `every ${t.scrapeInterval}`)),
                h("td", null, last > 0 ? humanizeDuration(t.lastScrapeDuration * 1000) : "—"),
                h("td", { class: "value" }, count === undefined ? "—" : count.toLocaleString("en")),
                h("td", null, matchers(t.scrapeUrl).map((m) => h("div", null, h("code", null, m)))),
                h("td", { class: "error-cell" }, t.lastError),
                h("td", null, safeHref(uiUrl(t)) === null ? "—" : h("a", { href: safeHref(uiUrl(t)), rel: "noopener" }, "Open UI")),
              );
            }),
          ),
        ),
      );
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      replace(content, apiFailure("Federation", "/api/v1/targets", e));
    } finally {
      content.setAttribute("aria-busy", "false");
    }
  }

  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return { dispose: () => clearInterval(timer) };
}

function isFederation(t: ActiveTarget): boolean {
  try {
    return new URL(t.scrapeUrl).pathname.replace(/\/+$/, "").endsWith("/federate");
  } catch {
    return false;
  }
}

const key = (t: { labels: Record<string, string> }) => `${t.labels["job"] ?? ""}\u0000${t.labels["instance"] ?? ""}`;

/** Series each region sent in its last federation: its scrape_samples_scraped, one
 * sample per federated series. */
async function seriesCounts(regions: ActiveTarget[], signal: AbortSignal): Promise<Map<string, number>> {
  const jobs = [...new Set(regions.map((r) => r.labels["job"] ?? ""))];
  const re = jobs.map((j) => j.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")).join("|");
  const out = new Map<string, number>();
  try {
    const res = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
      "/api/v1/query",
      { query: `scrape_samples_scraped{job=~${JSON.stringify(re)}}` },
      { signal },
    );
    for (const s of res.data.result) out.set(key({ labels: s.metric }), Number(s.value[1]));
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    // Counts are extra; the table stands without them.
  }
  return out;
}

function matchers(scrapeUrl: string): string[] {
  try {
    return new URL(scrapeUrl).searchParams.getAll("match[]");
  } catch {
    return [];
  }
}

function uiUrl(t: ActiveTarget): string {
  const explicit = t.discoveredLabels["__ui_url__"];
  if (explicit !== undefined && explicit !== "") return explicit;
  try {
    return `${new URL(t.scrapeUrl).origin}/`;
  } catch {
    return t.scrapeUrl;
  }
}

function without(ls: Record<string, string>, name: string): Record<string, string> {
  const out = { ...ls };
  delete out[name];
  return out;
}
