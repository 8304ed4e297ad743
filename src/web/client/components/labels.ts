import { h } from "../dom.js";

/** Label pairs as badges, `__name__` first and the rest by name. */
export function labelBadges(labels: Readonly<Record<string, string>>, opts: { className?: string } = {}): HTMLElement {
  const names = Object.keys(labels).sort((a, b) => (a === "__name__" ? -1 : b === "__name__" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return h(
    "ul",
    { class: `labels ${opts.className ?? ""}`.trim(), "aria-label": "labels" },
    names.map((n) => h("li", { class: "label" }, h("span", { class: "label-name" }, n), "=", h("span", { class: "label-value" }, JSON.stringify(labels[n])))),
  );
}

export function healthBadge(health: string): HTMLElement {
  const h2 = health.toLowerCase();
  return h("span", { class: `badge health-${h2}` }, h2.toUpperCase());
}

export function stateBadge(state: string): HTMLElement {
  const s = state.toLowerCase();
  return h("span", { class: `badge state-${s}` }, s.toUpperCase());
}
