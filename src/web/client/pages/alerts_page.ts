import { api, type ApiResult } from "../api.js";
import { labelBadges, stateBadge } from "../components/labels.js";
import { apiFailure } from "../components/notice.js";
import { checkSet } from "../components/check_set.js";
import { searchControl } from "../components/search_control.js";
import { h, replace, uid } from "../dom.js";
import { humanizeDuration, parseApiTime, relativeTime } from "../format/duration.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";
import { queryLink, type Alert, type AlertingRule, type AlertsData, type RulesData } from "../rules/rule_types.js";

type State = AlertingRule["state"];
const STATES: State[] = ["firing", "pending", "inactive"];

/** Alerting rules by group with their state and active alerts (labels, annotations,
 * active since, value), from /api/v1/rules?type=alert and /api/v1/alerts. */
export function render(ctx: PageContext): PageView {
  const shown = new Set<State>(STATES);
  let search = "";
  let rules: RulesData | null = null;
  let alerts: AlertsData | null = null;
  const content = h("div", { class: "alerts", "aria-busy": "true" });
  const summary = h("p", { class: "summary" });
  const searchBox = searchControl("rule name or label", (text) => {
    search = text.toLowerCase();
    draw();
  });

  const stateBoxes = checkSet(STATES, shown, (s) => s[0]!.toUpperCase() + s.slice(1), draw);

  ctx.root.append(
    pageHeading("Alerts", h("button", { type: "button", class: "btn", onclick: () => void load() }, "Refresh")),
    h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter alerts", onsubmit: (ev: Event) => ev.preventDefault() },
      h("fieldset", { class: "inline" }, h("legend", null, "State"), stateBoxes),
      searchBox.control,
    ),
    summary,
    content,
  );

  function matches(r: AlertingRule): boolean {
    if (!shown.has(r.state)) return false;
    if (search === "") return true;
    const text = [r.name, r.query, ...Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`), ...r.alerts.flatMap((a) => Object.entries(a.labels).map(([k, v]) => `${k}=${v}`))].join("\n").toLowerCase();
    return search.split(/\s+/).every((w) => text.includes(w));
  }

  function draw(): void {
    const now = Date.now();
    if (rules === null) {
      summary.textContent = "";
      if (alerts !== null) replace(content, activeAlertsTable(alerts.alerts, now));
      return;
    }
    const all = rules.groups.flatMap((g) => g.rules.filter((r): r is AlertingRule => r.type === "alerting"));
    const count = (s: State) => all.filter((r) => r.state === s).length;
    summary.textContent = `${count("firing")} firing · ${count("pending")} pending · ${count("inactive")} inactive alerting rules`;
    const groups = rules.groups
      .map((g) => ({ g, rs: g.rules.filter((r): r is AlertingRule => r.type === "alerting").filter(matches) }))
      .filter((x) => x.rs.length > 0);
    if (groups.length === 0) {
      replace(content, h("p", { class: "empty" }, all.length === 0 ? "No alerting rules are configured." : "No alerting rules match the filter."));
      return;
    }
    replace(
      content,
      groups.map(({ g, rs }) =>
        h(
          "section",
          { class: "rule-group" },
          h("h2", null, g.name, h("span", { class: "muted small" }, ` ${g.file}`)),
          rs.map((r) => alertingRule(r, now)),
        ),
      ),
    );
  }

  async function load(): Promise<void> {
    content.setAttribute("aria-busy", "true");
    const [r, a] = await Promise.allSettled([
      api<RulesData>("/api/v1/rules", { type: "alert" }, { signal: ctx.signal }),
      api<AlertsData>("/api/v1/alerts", {}, { signal: ctx.signal }),
    ]);
    if (ctx.signal.aborted) return;
    content.setAttribute("aria-busy", "false");
    rules = r.status === "fulfilled" ? (r.value as ApiResult<RulesData>).data : null;
    alerts = a.status === "fulfilled" ? (a.value as ApiResult<AlertsData>).data : null;
    if (rules === null && alerts === null) {
      summary.textContent = "";
      replace(content, apiFailure("Alerts", "/api/v1/rules", (r as PromiseRejectedResult).reason));
      return;
    }
    draw();
  }

  void load();
  return {};
}

function alertingRule(r: AlertingRule, now: number): HTMLElement {
  const active = r.alerts.filter((a) => a.state !== "inactive");
  return h(
    "details",
    { class: `rule alert-rule state-border-${r.state}`, open: r.state !== "inactive", "data-rule": r.name },
    h("summary", null, h("span", { class: "rule-name" }, r.name), stateBadge(r.state), active.length > 0 ? h("span", { class: "muted" }, `${active.length} active`) : null),
    h(
      "div",
      { class: "rule-body" },
      h(
        "dl",
        { class: "definition" },
        h("dt", null, "Expression"),
        h("dd", null, h("a", { href: queryLink(r.query), "data-nav": "" }, h("code", null, r.query))),
        r.duration > 0 ? [h("dt", null, "For"), h("dd", null, humanizeDuration(r.duration * 1000))] : null,
        (r.keepFiringFor ?? 0) > 0 ? [h("dt", null, "Keep firing for"), h("dd", null, humanizeDuration(r.keepFiringFor! * 1000))] : null,
        Object.keys(r.labels ?? {}).length > 0 ? [h("dt", null, "Labels"), h("dd", null, labelBadges(r.labels ?? {}))] : null,
        Object.keys(r.annotations).length > 0 ? [h("dt", null, "Annotations"), h("dd", null, annotations(r.annotations))] : null,
        r.lastError ? [h("dt", null, "Error"), h("dd", { class: "error-text" }, r.lastError)] : null,
      ),
      active.length > 0 ? activeAlertsTable(active, now) : null,
    ),
  );
}

function activeAlertsTable(alerts: Alert[], now: number): HTMLElement {
  if (alerts.length === 0) return h("p", { class: "empty" }, "No active alerts.");
  return h(
    "table",
    { class: "data-table" },
    h("thead", null, h("tr", null, ["Labels", "State", "Active since", "Value", "Annotations"].map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      null,
      alerts.map((a) =>
        h(
          "tr",
          null,
          h("td", null, labelBadges(a.labels)),
          h("td", null, stateBadge(a.state)),
          h("td", { title: a.activeAt ?? "" }, relativeTime(parseApiTime(a.activeAt), now)),
          h("td", { class: "value" }, a.value),
          h("td", null, annotations(a.annotations)),
        ),
      ),
    ),
  );
}

function annotations(a: Record<string, string>): HTMLElement {
  return h("dl", { class: "annotations" }, Object.entries(a).map(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}
