import { api, ApiError } from "../api.js";
import { notice } from "../components/notice.js";
import { h, replace, uid } from "../dom.js";
import { humanizeDuration } from "../format/duration.js";
import { ExpressionEditor } from "./editor.js";
import type { MatrixSeries } from "./graph_data.js";
import { exemplarPoints, type ApiExemplarSeries, type ExemplarPoint } from "./exemplar_data.js";
import { GraphView } from "./graph_view.js";
import { HeatmapView } from "./heatmap_view.js";
import { hasHistograms, type HistogramMatrixSeries } from "./histogram_data.js";
import type { QueryHistory } from "./history.js";
import { clampStep, effectiveStep, type PanelState, type Tab } from "./panel_state.js";
import { errorSpan, locateParseError } from "./parse_error.js";
import { resultTable, type InstantResult } from "./table_view.js";
import { timeControls } from "./time_controls.js";

export interface PanelHost {
  /** The panel's settings changed (the page rewrites the URL). */
  changed(): void;
  remove(panel: QueryPanel): void;
  history: QueryHistory;
  canRemove(): boolean;
}

/** One expression with its Table and Graph tabs. */
export class QueryPanel {
  readonly el: HTMLElement;
  private readonly editor: ExpressionEditor;
  private readonly tabs: Record<Tab, HTMLButtonElement>;
  private readonly controlsEl = h("div", { class: "controls-wrap" });
  private readonly statusEl = h("div", { class: "query-status", "aria-live": "polite" });
  private readonly errorEl = h("div", { class: "query-error" });
  private readonly resultEl: HTMLElement;
  private readonly historyEl = h("ul", { class: "history-list" });
  private readonly historyBox: HTMLDetailsElement;
  private readonly removeBtn: HTMLButtonElement;
  private graph: GraphView | null = null;
  private heatmap: HeatmapView | null = null;
  private inflight: AbortController | null = null;
  /** Bumped by every run: an answer to an older run is dropped. */
  private runs = 0;

  constructor(
    readonly state: PanelState,
    index: number,
    private readonly host: PanelHost,
  ) {
    const editorHost = h("div", { class: "editor" });
    this.editor = new ExpressionEditor({
      parent: editorHost,
      doc: state.expr,
      label: `Expression of query ${index + 1}`,
      onExecute: () => this.execute(),
      onChange: (doc) => {
        this.state.expr = doc;
      },
      history: () => host.history.list(),
    });
    const tabIds = { table: uid("tab"), graph: uid("tab") };
    const panelId = uid("tabpanel");
    const tab = (t: Tab, label: string) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: tabIds[t],
          "aria-controls": panelId,
          "aria-selected": String(state.tab === t),
          tabindex: state.tab === t ? "0" : "-1",
          class: "tab",
          onclick: () => this.selectTab(t),
          onkeydown: (ev: KeyboardEvent) => this.tabKey(ev),
        },
        label,
      );
    this.tabs = { table: tab("table", "Table"), graph: tab("graph", "Graph") };
    this.resultEl = h("div", { role: "tabpanel", id: panelId, "aria-labelledby": tabIds[state.tab], class: "tab-panel", tabindex: "-1" });
    this.historyBox = h(
      "details",
      { class: "history", ontoggle: () => this.fillHistory() },
      h("summary", { class: "btn" }, "History"),
      this.historyEl,
    );
    this.removeBtn = h("button", { type: "button", class: "btn btn-icon", "aria-label": `Remove query ${index + 1}`, title: "Remove query", onclick: () => host.remove(this) }, "×");
    this.el = h(
      "section",
      { class: "query-panel", "aria-label": `Query ${index + 1}` },
      h(
        "div",
        { class: "expr-row" },
        editorHost,
        h("button", { type: "button", class: "btn btn-primary execute", onclick: () => this.execute() }, "Execute"),
        this.historyBox,
        this.removeBtn,
      ),
      h("div", { class: "tabs-row" }, h("div", { role: "tablist", "aria-label": `Result of query ${index + 1}` }, this.tabs.table, this.tabs.graph), this.statusEl),
      this.controlsEl,
      this.errorEl,
      this.resultEl,
    );
    this.renderControls();
    this.updateRemovable();
  }

  updateRemovable(): void {
    this.removeBtn.hidden = !this.host.canRemove();
  }

  focus(): void {
    this.editor.focus();
  }

  /** Runs the expression on the current tab and records it in the history. */
  execute(): void {
    this.state.expr = this.editor.value;
    if (this.state.expr.trim() !== "") this.host.history.add(this.state.expr);
    this.host.changed();
    void this.run();
  }

  dispose(): void {
    this.inflight?.abort();
    this.dropViews();
    this.editor.destroy();
  }

  private selectTab(t: Tab): void {
    if (this.state.tab === t) return;
    this.state.tab = t;
    for (const [k, b] of Object.entries(this.tabs) as [Tab, HTMLButtonElement][]) {
      b.setAttribute("aria-selected", String(k === t));
      b.tabIndex = k === t ? 0 : -1;
    }
    this.resultEl.setAttribute("aria-labelledby", this.tabs[t].id);
    this.tabs[t].focus();
    this.renderControls();
    this.host.changed();
    void this.run();
  }

  /** Arrow keys move between the tabs (the ARIA tabs pattern). */
  private tabKey(ev: KeyboardEvent): void {
    if (ev.key === "ArrowRight" || ev.key === "ArrowLeft" || ev.key === "Home" || ev.key === "End") {
      ev.preventDefault();
      const next: Tab = ev.key === "Home" ? "table" : ev.key === "End" ? "graph" : this.state.tab === "table" ? "graph" : "table";
      this.selectTab(next);
    }
  }

  private renderControls(): void {
    replace(
      this.controlsEl,
      timeControls(this.state, (patch) => {
        const onlyMode = Object.keys(patch).length === 1 && patch.displayMode !== undefined;
        Object.assign(this.state, patch);
        this.renderControls();
        this.host.changed();
        if (onlyMode) this.graph?.setMode(this.state.displayMode);
        else void this.run();
      }),
    );
  }

  private fillHistory(): void {
    if (!this.historyBox.open) return;
    const items = this.host.history.list();
    replace(
      this.historyEl,
      items.length === 0
        ? h("li", { class: "muted" }, "No queries run from this browser yet.")
        : items.map((e) =>
            h(
              "li",
              null,
              h(
                "button",
                {
                  type: "button",
                  class: "history-item",
                  onclick: () => {
                    this.editor.value = e;
                    this.historyBox.open = false;
                    this.execute();
                    this.editor.focus();
                  },
                },
                e,
              ),
            ),
          ),
    );
  }

  private async run(): Promise<void> {
    this.inflight?.abort();
    replace(this.errorEl);
    this.editor.clearError();
    const expr = this.state.expr;
    if (expr.trim() === "") {
      replace(this.statusEl);
      replace(this.resultEl, h("p", { class: "empty" }, "Enter an expression and press Enter or Execute."));
      return;
    }
    const abort = new AbortController();
    this.inflight = abort;
    const run = ++this.runs;
    this.statusEl.textContent = "Loading…";
    this.el.setAttribute("aria-busy", "true");
    const started = performance.now();
    try {
      if (this.state.tab === "table") await this.runTable(expr, abort.signal, started, run);
      else await this.runGraph(expr, abort.signal, started, run);
    } catch (e) {
      if ((e as Error).name === "AbortError" || run !== this.runs) return;
      this.showError(expr, e);
    } finally {
      if (run === this.runs) this.el.removeAttribute("aria-busy");
    }
  }

  private async runTable(expr: string, signal: AbortSignal, started: number, run: number): Promise<void> {
    const time = (this.state.endTime ?? Date.now()) / 1000;
    const res = await api<InstantResult>("/api/v1/query", { query: expr, time: String(time) }, { method: "POST", signal });
    if (run !== this.runs) return;
    const ms = performance.now() - started;
    this.dropViews();
    const count = res.data.resultType === "vector" || res.data.resultType === "matrix" ? res.data.result.length : 1;
    this.statusEl.textContent = `Load time: ${humanizeDuration(Math.round(ms))} · Result series: ${count}`;
    replace(this.resultEl, this.warnings(res.warnings, res.infos), resultTable(res.data));
  }

  private async runGraph(expr: string, signal: AbortSignal, started: number, run: number): Promise<void> {
    const endMs = this.state.endTime ?? Date.now();
    const range = this.state.range;
    const stepMs = clampStep(effectiveStep(this.state.resolution, range), range);
    const startMs = endMs - range;
    const times = { start: String(startMs / 1000), end: String(endMs / 1000) };
    // Exemplars come from their own endpoint, asked at the same time; failing to get
    // them leaves the graph and says why.
    const exemplarsCall = this.state.showExemplars
      ? api<ApiExemplarSeries[] | null>("/api/v1/query_exemplars", { query: expr, ...times }, { method: "POST", signal }).then(
          (r) => ({ found: r.data ?? [], error: "" }),
          (e: unknown) => ({ found: [] as ApiExemplarSeries[], error: e instanceof ApiError ? e.message : String(e) }),
        )
      : Promise.resolve({ found: [] as ApiExemplarSeries[], error: "" });
    const [res, ex] = await Promise.all([
      api<{ resultType: string; result: (MatrixSeries & HistogramMatrixSeries)[] }>("/api/v1/query_range", { query: expr, ...times, step: String(stepMs / 1000) }, { method: "POST", signal }),
      exemplarsCall,
    ]);
    if (run !== this.runs) return;
    const ms = performance.now() - started;
    if (res.data.resultType !== "matrix") {
      replace(this.statusEl);
      replace(this.resultEl, notice("error", "Cannot graph this result", `The query returned a ${res.data.resultType}, a graph needs a range vector result (an instant vector expression).`));
      return;
    }
    const result = res.data.result;
    this.statusEl.textContent = `Load time: ${humanizeDuration(Math.round(ms))} · Resolution: ${humanizeDuration(stepMs)} · Result series: ${result.length}`;
    const warnings = this.warnings(res.warnings, res.infos);
    const exemplarError = ex.error === "" ? null : notice("warning", "Exemplars not shown", ex.error);
    if (result.length === 0) {
      this.dropViews();
      replace(this.resultEl, warnings, exemplarError, h("p", { class: "empty" }, "Empty query result: no series in this range."));
      return;
    }
    const graphRange = { startMs, endMs, stepMs };
    if (hasHistograms(result)) {
      // Native histograms: a heatmap of the buckets instead of lines.
      this.graph?.destroy();
      this.graph = null;
      this.heatmap ??= new HeatmapView();
      const floats = result.filter((s) => (s.histograms?.length ?? 0) === 0).length;
      const skipped = floats === 0 ? null : notice("info", "Float series not drawn", `${floats} of the ${result.length} series have float samples only; the heatmap shows native histograms.`);
      replace(this.resultEl, warnings, exemplarError, skipped, this.heatmap.el);
      this.heatmap.render(result, graphRange);
      return;
    }
    this.heatmap?.destroy();
    this.heatmap = null;
    const points: ExemplarPoint[] = exemplarPoints(ex.found, result, startMs, endMs);
    if (this.graph === null) this.graph = new GraphView((from, to) => this.zoom(from, to));
    replace(this.resultEl, warnings, exemplarError, this.graph.el);
    // Sized after it is in the document, so uPlot gets the real width.
    this.graph.render(result, graphRange, this.state.displayMode, points);
  }

  private dropViews(): void {
    this.graph?.destroy();
    this.graph = null;
    this.heatmap?.destroy();
    this.heatmap = null;
  }

  private zoom(fromMs: number, toMs: number): void {
    if (toMs - fromMs < 1000) return;
    this.state.range = toMs - fromMs;
    this.state.endTime = toMs;
    this.renderControls();
    this.host.changed();
    void this.run();
  }

  private warnings(warnings: string[], infos: string[]): HTMLElement | null {
    if (warnings.length === 0 && infos.length === 0) return null;
    return h(
      "div",
      null,
      warnings.map((w) => notice("warning", "Warning", w)),
      infos.map((i) => notice("info", "Info", i)),
    );
  }

  private showError(expr: string, e: unknown): void {
    replace(this.statusEl);
    const message = e instanceof ApiError ? e.message : String(e);
    const loc = e instanceof ApiError ? locateParseError(message, expr) : null;
    if (loc === null) {
      replace(this.errorEl, notice("error", "Error executing query", message));
      return;
    }
    const span = errorSpan(expr, loc.offset);
    this.editor.showError(span.from, span.to, message);
    replace(
      this.errorEl,
      notice(
        "error",
        "Error executing query",
        h("p", { "data-testid": "parse-error" }, loc.text),
        h("p", null, `At line ${loc.line}, column ${loc.column}: `, h("code", { class: "error-excerpt" }, excerpt(expr, span.from, span.to)), " "),
        h("button", { type: "button", class: "btn btn-small", onclick: () => this.editor.moveTo(loc.offset) }, "Go to error"),
      ),
    );
  }
}

/** The error's line with the marked part emphasised. */
function excerpt(expr: string, from: number, to: number): HTMLElement {
  const lineStart = expr.lastIndexOf("\n", from - 1) + 1;
  const nl = expr.indexOf("\n", to);
  const lineEnd = nl < 0 ? expr.length : nl;
  return h("span", null, expr.slice(lineStart, from), h("mark", null, expr.slice(from, to)), expr.slice(to, lineEnd));
}
