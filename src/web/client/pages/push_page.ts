import { api } from "../api.js";
import { labelBadges } from "../components/labels.js";
import { apiFailure, notice } from "../components/notice.js";
import { searchControl } from "../components/search_control.js";
import { h, replace, uid } from "../dom.js";
import { formatUtc, relativeTime } from "../format/duration.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";
import { groupPath } from "../push/group_path.js";

/** One metric of a family in the Pushgateway's JSON (api/v1/metrics). */
interface PushedMetric {
  labels: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
  /** Classic buckets by upper bound; native histograms list their buckets instead. */
  buckets?: Record<string, string> | unknown[];
  quantiles?: Record<string, string>;
}

interface PushedFamily {
  time_stamp: string;
  type: string;
  help?: string;
  metrics: PushedMetric[];
}

/** A group: its grouping labels, whether the last push worked, and one entry per
 * metric family (push_time_seconds and push_failure_time_seconds among them). */
type PushGroup = { labels: Record<string, string>; last_push_successful: boolean } & Record<string, unknown>;

const PREFIX = "/pushgateway";

/** The region's Pushgateway: pushed groups with their labels, push times and
 * metrics, and a button that deletes a group as `DELETE /metrics/job/...` would. */
export function render(ctx: PageContext): PageView {
  const content = h("div", { class: "push", "aria-busy": "true" });
  const status = h("div", { class: "push-status", "aria-live": "polite" });
  let groups: PushGroup[] = [];
  let search = "";
  const searchBox = searchControl("label or metric name", (text) => {
    search = text.toLowerCase();
    draw();
  });

  ctx.root.append(
    pageHeading("Pushgateway", h("button", { type: "button", class: "btn", onclick: () => void load() }, "Refresh")),
    h(
      "p",
      { class: "muted" },
      "Batch jobs push to ",
      h("code", null, `${location.origin}${PREFIX}/metrics/job/<job>`),
      "; this region scrapes what they pushed.",
    ),
    h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter groups", onsubmit: (ev: Event) => ev.preventDefault() },
      searchBox.control,
    ),
    status,
    content,
  );

  function draw(): void {
    const now = Date.now();
    const shown = groups.filter((g) => {
      if (search === "") return true;
      const text = [...Object.entries(g.labels).map(([k, v]) => `${k}=${v}`), ...families(g).map(([n]) => n)].join("\n").toLowerCase();
      return search.split(/\s+/).every((w) => text.includes(w));
    });
    if (shown.length === 0) {
      replace(content, h("p", { class: "empty" }, groups.length === 0 ? "Nothing has been pushed to this region." : "No groups match the filter."));
      return;
    }
    replace(content, shown.map((g) => group(g, now)));
  }

  function group(g: PushGroup, now: number): HTMLElement {
    const pushTime = gaugeValue(g, "push_time_seconds");
    const failTime = gaugeValue(g, "push_failure_time_seconds");
    const path = groupPath(g.labels);
    const fams = families(g).filter(([n]) => n !== "push_time_seconds" && n !== "push_failure_time_seconds");
    return h(
      "section",
      { class: "push-group", "data-group": path },
      h(
        "div",
        { class: "push-group-head" },
        labelBadges(g.labels),
        g.last_push_successful ? null : h("span", { class: "badge health-down" }, "LAST PUSH FAILED"),
        h("button", { type: "button", class: "btn btn-danger", "aria-label": `Delete group ${path}`, onclick: () => void remove(g) }, "Delete group"),
      ),
      h(
        "p",
        { class: "muted small" },
        `Last push: ${pushTime > 0 ? `${relativeTime(pushTime * 1000, now)} (${formatUtc(pushTime * 1000)} UTC)` : "never"}`,
        ` · last failed push: ${failTime > 0 ? `${relativeTime(failTime * 1000, now)} (${formatUtc(failTime * 1000)} UTC)` : "never"}`,
      ),
      h(
        "details",
        null,
        h("summary", null, `${fams.length} metric ${fams.length === 1 ? "family" : "families"}`),
        fams.map(([name, f]) =>
          h(
            "div",
            { class: "push-family" },
            h("h3", null, h("code", null, name), " ", h("span", { class: "badge" }, f.type.toLowerCase())),
            f.help ? h("p", { class: "muted small" }, f.help) : null,
            h(
              "table",
              { class: "data-table" },
              h("thead", null, h("tr", null, h("th", { scope: "col" }, "Labels"), h("th", { scope: "col" }, "Value"))),
              h("tbody", null, f.metrics.map((m) => h("tr", null, h("td", null, labelBadges(m.labels)), h("td", { class: "value" }, metricValue(m))))),
            ),
          ),
        ),
      ),
    );
  }

  async function remove(g: PushGroup): Promise<void> {
    const path = groupPath(g.labels);
    if (!window.confirm(`Delete every metric pushed to ${path}?`)) return;
    try {
      const res = await fetch(`${PREFIX}${path}`, { method: "DELETE" });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}: ${(await res.text()).trim()}`);
      replace(status, notice("info", "Group deleted", path));
      await load();
    } catch (e) {
      replace(status, notice("error", "Could not delete the group", `${path}: ${(e as Error).message}`));
    }
  }

  async function load(): Promise<void> {
    content.setAttribute("aria-busy", "true");
    try {
      // The Pushgateway's own API envelope, the same shape as Prometheus'.
      groups = (await api<PushGroup[]>(`${PREFIX}/api/v1/metrics`, {}, { signal: ctx.signal })).data ?? [];
      groups.sort((a, b) => (groupPath(a.labels) < groupPath(b.labels) ? -1 : 1));
      draw();
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      replace(content, apiFailure("Pushgateway", `${PREFIX}/api/v1/metrics`, e));
    } finally {
      content.setAttribute("aria-busy", "false");
    }
  }

  void load();
  return {};
}

function families(g: PushGroup): [string, PushedFamily][] {
  return Object.entries(g)
    .filter((e): e is [string, PushedFamily] => e[0] !== "labels" && e[0] !== "last_push_successful" && typeof e[1] === "object" && e[1] !== null)
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

function gaugeValue(g: PushGroup, name: string): number {
  const f = g[name] as PushedFamily | undefined;
  return Number(f?.metrics[0]?.value ?? 0);
}

function metricValue(m: PushedMetric): HTMLElement | string {
  if (m.value !== undefined) return m.value;
  const rows: string[] = [];
  if (m.count !== undefined) rows.push(`count ${m.count}`);
  if (m.sum !== undefined) rows.push(`sum ${m.sum}`);
  for (const [q, v] of Object.entries(m.quantiles ?? {})) rows.push(`quantile ${q}: ${v}`);
  if (Array.isArray(m.buckets)) rows.push(`buckets ${JSON.stringify(m.buckets)}`);
  else for (const [le, v] of Object.entries(m.buckets ?? {})) rows.push(`le ${le}: ${v}`);
  return h("div", null, rows.map((r) => h("div", null, r)));
}
