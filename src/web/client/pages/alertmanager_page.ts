import { labelBadges, stateBadge } from "../components/labels.js";
import { apiFailure, notice } from "../components/notice.js";
import { h, replace } from "../dom.js";
import { formatUtc, relativeTime } from "../format/duration.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";

const PREFIX = "/alertmanager/api/v2";

interface GAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  fingerprint: string;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}
interface Group {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: GAlert[];
}
interface SMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}
interface GSilence {
  id: string;
  status: { state: string };
  matchers: SMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*?))\s*$/;

/** `a="b", c=~"d.*"` to the API's matcher objects (quotes optional). */
function parseMatcherText(text: string): SMatcher[] {
  const parts = text.replace(/^\s*\{|\}\s*$/g, "").match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  return parts.map((p) => {
    const m = MATCHER.exec(p);
    if (m === null) throw new Error(`not a matcher: ${p.trim()}`);
    const op = m[2]!;
    const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : m[4]!;
    return { name: m[1]!, value, isRegex: op.includes("~"), isEqual: !op.startsWith("!") };
  });
}

function matcherText(m: SMatcher): string {
  const op = m.isRegex ? (m.isEqual ? "=~" : "!~") : m.isEqual ? "=" : "!=";
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${PREFIX}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${text.trim()}`);
  return (text === "" ? null : JSON.parse(text)) as T;
}

/** The tier's Alertmanager: alert groups as routed, silences with expire and create. */
export function render(ctx: PageContext): PageView {
  const status = h("div", { "aria-live": "polite" });
  const groupsEl = h("div", { class: "am-groups", "aria-busy": "true" });
  const silencesEl = h("div", { class: "am-silences", "aria-busy": "true" });
  const matchersIn = h("input", { type: "text", name: "matchers", placeholder: 'alertname="HighLoad", instance=~"db.*"', "aria-label": "Matchers", size: 50 });
  const durationIn = h("input", { type: "number", name: "hours", value: "2", min: "0.1", step: "0.5", "aria-label": "Duration in hours", size: 5 });
  const authorIn = h("input", { type: "text", name: "createdBy", placeholder: "you", "aria-label": "Author" });
  const commentIn = h("input", { type: "text", name: "comment", placeholder: "why", "aria-label": "Comment", size: 30 });

  ctx.root.append(
    pageHeading("Alertmanager", h("button", { type: "button", class: "btn", onclick: () => void load() }, "Refresh")),
    h("p", { class: "muted" }, "This tier's Alertmanager: point Prometheus or amtool at ", h("code", null, `${location.origin}/alertmanager`), "."),
    status,
    h("h2", null, "Alert groups"),
    groupsEl,
    h("h2", null, "Silences"),
    h(
      "form",
      { class: "filters", "aria-label": "New silence", onsubmit: (ev: Event) => (ev.preventDefault(), void create()) },
      matchersIn,
      durationIn,
      authorIn,
      commentIn,
      h("button", { type: "submit", class: "btn" }, "Silence"),
    ),
    silencesEl,
  );

  function drawGroups(groups: Group[]): void {
    if (groups.length === 0) return replace(groupsEl, h("p", { class: "empty" }, "No active alerts."));
    const now = Date.now();
    replace(
      groupsEl,
      groups.map((g) =>
        h(
          "section",
          { class: "push-group" },
          h("div", { class: "push-group-head" }, labelBadges(g.labels), h("span", { class: "badge" }, `receiver: ${g.receiver.name}`), h("span", { class: "muted small" }, `${g.alerts.length} alert${g.alerts.length === 1 ? "" : "s"}`)),
          h(
            "table",
            { class: "data-table" },
            h("thead", null, h("tr", null, h("th", { scope: "col" }, "State"), h("th", { scope: "col" }, "Labels"), h("th", { scope: "col" }, "Since"), h("th", { scope: "col" }, "Summary"))),
            h(
              "tbody",
              null,
              g.alerts.map((a) =>
                h(
                  "tr",
                  null,
                  h("td", null, stateBadge(a.status.state === "suppressed" ? "inactive" : "firing"), a.status.state === "suppressed" ? h("span", { class: "muted small" }, a.status.silencedBy.length > 0 ? " silenced" : " inhibited") : null),
                  h("td", null, labelBadges(a.labels)),
                  h("td", { title: formatUtc(Date.parse(a.startsAt)) }, relativeTime(Date.parse(a.startsAt), now)),
                  h("td", null, a.annotations["summary"] ?? a.annotations["description"] ?? ""),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function drawSilences(silences: GSilence[]): void {
    if (silences.length === 0) return replace(silencesEl, h("p", { class: "empty" }, "No silences."));
    replace(
      silencesEl,
      h(
        "table",
        { class: "data-table" },
        h("thead", null, h("tr", null, ["State", "Matchers", "Starts", "Ends", "Created by", "Comment", ""].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          null,
          silences.map((s) =>
            h(
              "tr",
              { "data-silence": s.id },
              h("td", null, h("span", { class: "badge" }, s.status.state)),
              h("td", null, h("code", null, s.matchers.map(matcherText).join(", "))),
              h("td", null, formatUtc(Date.parse(s.startsAt))),
              h("td", null, formatUtc(Date.parse(s.endsAt))),
              h("td", null, s.createdBy),
              h("td", null, s.comment),
              h("td", null, s.status.state === "expired" ? null : h("button", { type: "button", class: "btn btn-danger", onclick: () => void expire(s) }, "Expire")),
            ),
          ),
        ),
      ),
    );
  }

  async function create(): Promise<void> {
    try {
      const matchers = parseMatcherText(matchersIn.value);
      const now = Date.now();
      const body = { matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(now + Number(durationIn.value) * 3600_000).toISOString(), createdBy: authorIn.value, comment: commentIn.value };
      const r = await call<{ silenceID: string }>("/silences", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      replace(status, notice("info", "Silence created", r.silenceID));
      await load();
    } catch (e) {
      replace(status, notice("error", "Could not create the silence", (e as Error).message));
    }
  }

  async function expire(s: GSilence): Promise<void> {
    try {
      await call(`/silence/${encodeURIComponent(s.id)}`, { method: "DELETE" });
      replace(status, notice("info", "Silence expired", s.id));
      await load();
    } catch (e) {
      replace(status, notice("error", "Could not expire the silence", (e as Error).message));
    }
  }

  async function load(): Promise<void> {
    try {
      const [groups, silences] = await Promise.all([call<Group[]>("/alerts/groups", { signal: ctx.signal }), call<GSilence[]>("/silences", { signal: ctx.signal })]);
      drawGroups(groups);
      drawSilences(silences);
    } catch (e) {
      if ((e as Error).name === "AbortError") return;
      replace(groupsEl, apiFailure("Alertmanager", `${PREFIX}/alerts/groups`, e));
      replace(silencesEl);
    } finally {
      groupsEl.setAttribute("aria-busy", "false");
      silencesEl.setAttribute("aria-busy", "false");
    }
  }

  void load();
  return {};
}
