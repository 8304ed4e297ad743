import { api } from "../api.js";
import { healthBadge, labelBadges } from "../components/labels.js";
import { apiFailure } from "../components/notice.js";
import { h, replace, safeHref, uid } from "../dom.js";
import { humanizeDuration, parseApiTime, relativeTime } from "../format/duration.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";
import { droppedMatches, groupByPool, targetMatches, type ActiveTarget, type DroppedTarget, type Health, type TargetsData } from "../targets/target_filter.js";
import { checkSet } from "../components/check_set.js";
import { targetLink } from "../targets/target_link.js";
import { searchControl } from "../components/search_control.js";

const HEALTHS: Health[] = ["up", "down", "unknown"];
const REFRESH_MS = 15_000;

/** Scrape targets by pool, with health, labels, last scrape, duration, error and
 * clock skew; filters by health and text live in the URL (?health=down&search=node). */
export function render(ctx: PageContext): PageView {
  const params = new URLSearchParams(location.search);
  const health = new Set(params.getAll("health").filter((x): x is Health => (HEALTHS as string[]).includes(x)));
  let search = params.get("search") ?? "";
  let showDropped = params.get("dropped") === "1";
  let data: TargetsData | null = null;
  let loadedAt = 0;

  const content = h("div", { class: "targets", "aria-busy": "true" });
  const summary = h("p", { class: "summary" });
  const searchBox = searchControl(
    "endpoint, label, pool or error",
    (text) => {
      search = text;
      update();
    },
    search,
  );
  const healthBoxes = checkSet(HEALTHS, health, (x) => (x === "up" ? "Up" : x === "down" ? "Down" : "Unknown"), update);
  const droppedId = uid("dropped");
  const droppedBox = h("input", {
    id: droppedId,
    type: "checkbox",
    checked: showDropped,
    onchange: (ev: Event) => {
      showDropped = (ev.target as HTMLInputElement).checked;
      update();
    },
  });

  ctx.root.append(
    pageHeading("Targets", h("button", { type: "button", class: "btn", onclick: () => void load() }, "Refresh")),
    h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter targets", onsubmit: (ev: Event) => ev.preventDefault() },
      h("fieldset", { class: "inline" }, h("legend", null, "Health"), healthBoxes),
      searchBox.control,
      h("span", { class: "check" }, droppedBox, h("label", { for: droppedId }, "Show dropped targets")),
    ),
    summary,
    content,
  );

  function update(): void {
    const sp = new URLSearchParams();
    for (const x of HEALTHS) if (health.has(x)) sp.append("health", x);
    if (search !== "") sp.set("search", search);
    if (showDropped) sp.set("dropped", "1");
    const qs = sp.toString();
    history.replaceState(null, "", qs === "" ? location.pathname : `${location.pathname}?${qs}`);
    if (data !== null) draw(data);
  }

  function draw(d: TargetsData): void {
    const now = Date.now();
    const active = d.activeTargets.filter((t) => targetMatches(t, health, search));
    const up = d.activeTargets.filter((t) => t.health === "up").length;
    summary.textContent = `${up} of ${d.activeTargets.length} targets up · ${d.droppedTargets.length} dropped · showing ${active.length} · updated ${relativeTime(loadedAt, now)}`;
    const pools = groupByPool(active, (t) => t.scrapeUrl);
    const sections: HTMLElement[] = [];
    for (const [pool, targets] of pools) sections.push(poolSection(pool, targets, d.activeTargets.filter((t) => t.scrapePool === pool), now));
    if (sections.length === 0) sections.push(h("p", { class: "empty" }, d.activeTargets.length === 0 ? "No targets are configured for scraping." : "No targets match the filter."));
    if (showDropped) sections.push(droppedSection(d.droppedTargets.filter((t) => droppedMatches(t, search))));
    replace(content, sections);
  }

  async function load(): Promise<void> {
    content.setAttribute("aria-busy", "true");
    try {
      data = (await api<TargetsData>("/api/v1/targets", {}, { signal: ctx.signal })).data;
      data.droppedTargets ??= [];
      loadedAt = Date.now();
      draw(data);
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      replace(content, apiFailure("Targets", "/api/v1/targets", e));
    } finally {
      content.setAttribute("aria-busy", "false");
    }
  }

  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return { dispose: () => clearInterval(timer) };
}

function poolSection(pool: string, shown: ActiveTarget[], all: ActiveTarget[], now: number): HTMLElement {
  const up = all.filter((t) => t.health === "up").length;
  const allUp = up === all.length;
  return h(
    "details",
    { class: "pool", open: true, "data-pool": pool },
    h("summary", null, h("h2", null, pool), h("span", { class: `badge ${allUp ? "health-up" : "health-down"}` }, `${up} / ${all.length} up`)),
    h(
      "table",
      { class: "data-table targets-table" },
      h("caption", { class: "visually-hidden" }, `Targets of scrape pool ${pool}`),
      h(
        "thead",
        null,
        h("tr", null, ["Endpoint", "State", "Labels", "Last scrape", "Duration", "Clock skew", "Error"].map((c) => h("th", { scope: "col" }, c))),
      ),
      h("tbody", null, shown.map((t) => targetRow(t, now))),
    ),
  );
}

function targetRow(t: ActiveTarget, now: number): HTMLElement {
  const last = parseApiTime(t.lastScrape);
  return h(
    "tr",
    { "data-health": t.health },
    h("td", { class: "endpoint" }, endpoint(t)),
    h("td", null, healthBadge(t.health)),
    h("td", null, labelBadges(t.labels)),
    h("td", { title: t.lastScrape }, relativeTime(last, now), h("div", { class: "muted small" }, `every ${t.scrapeInterval}, timeout ${t.scrapeTimeout}`)),
    h("td", null, last > 0 ? humanizeDuration(t.lastScrapeDuration * 1000) : "—"),
    h("td", null, skew(t)),
    h("td", { class: "error-cell" }, t.lastError === "" ? "" : h("span", { class: "error-text" }, t.lastError)),
  );
}

function endpoint(t: ActiveTarget): HTMLElement {
  const link = targetLink(t, location.origin);
  const title = link.scrapedAs === undefined ? undefined : `scraped as ${link.scrapedAs}, through the tier's binding`;
  const href = link.href === null ? null : safeHref(link.href);
  return href === null ? h("span", { title }, link.text) : h("a", { href, rel: "noopener", title }, link.text);
}

function skew(t: ActiveTarget): string {
  if (t.skewedSamples === undefined || t.maxSkewSeconds === undefined) return "—";
  if (t.skewedSamples === 0) return "none";
  return `${t.skewedSamples} samples, up to ${humanizeDuration(t.maxSkewSeconds * 1000)}`;
}

function droppedSection(dropped: DroppedTarget[]): HTMLElement {
  const pools = groupByPool(dropped, (t) => JSON.stringify(t.discoveredLabels));
  return h(
    "section",
    { class: "dropped", "aria-labelledby": "dropped-heading" },
    h("h2", { id: "dropped-heading" }, `Dropped targets (${dropped.length})`),
    h("p", { class: "muted" }, "Discovered, then dropped by relabelling. Their labels before relabelling:"),
    dropped.length === 0
      ? h("p", { class: "empty" }, "No dropped targets match.")
      : [...pools].map(([pool, ts]) =>
          h(
            "details",
            { class: "pool" },
            h("summary", null, h("h3", null, pool || "(no pool)"), h("span", { class: "badge" }, String(ts.length))),
            h("ul", { class: "dropped-list" }, ts.map((t) => h("li", null, labelBadges(t.discoveredLabels)))),
          ),
        ),
  );
}
