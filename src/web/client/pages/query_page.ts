import { h } from "../dom.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";
import { QueryHistory } from "../query/history.js";
import { defaultPanel, type PanelState } from "../query/panel_state.js";
import { QueryPanel, type PanelHost } from "../query/query_panel.js";
import { decodePanels, encodePanels } from "../query/url_state.js";

/** The expression browser: query panels whose settings live in the URL. */
export function render(ctx: PageContext): PageView {
  const history = new QueryHistory();
  const list = h("div", { class: "panels" });
  let panels: QueryPanel[] = [];

  const host: PanelHost = {
    history,
    changed: () => writeUrl(),
    canRemove: () => panels.length > 1,
    remove: (p) => {
      p.dispose();
      p.el.remove();
      panels = panels.filter((x) => x !== p);
      panels.forEach((x) => x.updateRemovable());
      writeUrl();
      panels[0]?.focus();
    },
  };

  const writeUrl = () => {
    const qs = encodePanels(panels.map((p) => p.state)).toString();
    const url = `${location.pathname}?${qs}`;
    if (url !== location.pathname + location.search) history_.replaceState(null, "", url);
  };
  const history_ = window.history;

  const add = (state: PanelState, run: boolean) => {
    const p = new QueryPanel(state, panels.length, host);
    panels.push(p);
    list.append(p.el);
    panels.forEach((x) => x.updateRemovable());
    if (run && state.expr.trim() !== "") p.execute();
    return p;
  };

  const load = () => {
    for (const p of panels) p.dispose();
    panels = [];
    list.replaceChildren();
    const states = decodePanels(location.search);
    if (states.length === 0) states.push(defaultPanel());
    for (const s of states) add(s, true);
  };

  ctx.root.append(
    pageHeading("Query"),
    list,
    h(
      "button",
      {
        type: "button",
        class: "btn add-panel",
        onclick: () => {
          add(defaultPanel(), false).focus();
          writeUrl();
        },
      },
      "Add query",
    ),
  );
  load();
  // A fresh page starts in the editor, ready to type.
  if (panels.length === 1 && panels[0]!.state.expr === "") panels[0]!.focus();

  return {
    locationChanged: () => {
      const current = encodePanels(panels.map((p) => p.state)).toString();
      if (new URLSearchParams(location.search).toString() !== current) load();
    },
    dispose: () => panels.forEach((p) => p.dispose()),
  };
}
