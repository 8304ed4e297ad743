import { api } from "../api.js";
import { healthBadge, labelBadges } from "../components/labels.js";
import { apiFailure } from "../components/notice.js";
import { searchControl } from "../components/search_control.js";
import { h, replace, uid } from "../dom.js";
import { humanizeDuration, parseApiTime, relativeTime } from "../format/duration.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";
import { queryLink, type Rule, type RuleGroup, type RulesData } from "../rules/rule_types.js";

/** Recording and alerting rule groups with their evaluation health, from /api/v1/rules. */
export function render(ctx: PageContext): PageView {
  let data: RulesData | null = null;
  let search = "";
  let onlyErrors = false;
  const content = h("div", { class: "rules", "aria-busy": "true" });
  const summary = h("p", { class: "summary" });
  const searchBox = searchControl("rule name, expression or label", (text) => {
    search = text.toLowerCase();
    draw();
  });
  const errId = uid("errors");

  ctx.root.append(
    pageHeading("Rules", h("button", { type: "button", class: "btn", onclick: () => void load() }, "Refresh")),
    h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter rules", onsubmit: (ev: Event) => ev.preventDefault() },
      searchBox.control,
      h(
        "span",
        { class: "check" },
        h("input", {
          id: errId,
          type: "checkbox",
          onchange: (ev: Event) => {
            onlyErrors = (ev.target as HTMLInputElement).checked;
            draw();
          },
        }),
        h("label", { for: errId }, "Only rules with errors"),
      ),
    ),
    summary,
    content,
  );

  const matches = (r: Rule) => {
    if (onlyErrors && r.health !== "err") return false;
    const text = [r.name, r.query, ...Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`)].join("\n").toLowerCase();
    return search.split(/\s+/).every((w) => text.includes(w));
  };

  function draw(): void {
    if (data === null) return;
    const now = Date.now();
    const all = data.groups.flatMap((g) => g.rules);
    summary.textContent = `${data.groups.length} groups · ${all.length} rules · ${all.filter((r) => r.health === "err").length} with errors`;
    const groups = data.groups.map((g) => ({ g, rs: g.rules.filter(matches) })).filter((x) => x.rs.length > 0);
    if (groups.length === 0) {
      replace(content, h("p", { class: "empty" }, all.length === 0 ? "No rules are configured (rule_files in prometheus.yml)." : "No rules match the filter."));
      return;
    }
    replace(content, groups.map(({ g, rs }) => group(g, rs, now)));
  }

  async function load(): Promise<void> {
    content.setAttribute("aria-busy", "true");
    try {
      data = (await api<RulesData>("/api/v1/rules", {}, { signal: ctx.signal })).data;
      draw();
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      summary.textContent = "";
      replace(content, apiFailure("Rules", "/api/v1/rules", e));
    } finally {
      content.setAttribute("aria-busy", "false");
    }
  }

  void load();
  return {};
}

function group(g: RuleGroup, rules: Rule[], now: number): HTMLElement {
  return h(
    "details",
    { class: "rule-group", open: true },
    h(
      "summary",
      null,
      h("h2", null, g.name),
      h(
        "span",
        { class: "muted small" },
        `${g.file} · every ${humanizeDuration(g.interval * 1000)} · last evaluated ${relativeTime(parseApiTime(g.lastEvaluation), now)} in ${humanizeDuration(g.evaluationTime * 1000)}`,
      ),
    ),
    h(
      "table",
      { class: "data-table" },
      h("thead", null, h("tr", null, ["Rule", "Health", "Last evaluation", "Evaluation time"].map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        null,
        rules.map((r) =>
          h(
            "tr",
            { "data-rule": r.name },
            h(
              "td",
              null,
              h("div", null, h("span", { class: "muted small" }, r.type === "alerting" ? "alert: " : "record: "), h("strong", null, r.name)),
              h("div", null, h("a", { href: queryLink(r.query), "data-nav": "" }, h("code", null, r.query))),
              Object.keys(r.labels ?? {}).length > 0 ? labelBadges(r.labels ?? {}) : null,
              r.lastError ? h("div", { class: "error-text" }, r.lastError) : null,
            ),
            h("td", null, healthBadge(r.health)),
            h("td", { title: r.lastEvaluation }, relativeTime(parseApiTime(r.lastEvaluation), now)),
            h("td", null, humanizeDuration(r.evaluationTime * 1000)),
          ),
        ),
      ),
    ),
  );
}
