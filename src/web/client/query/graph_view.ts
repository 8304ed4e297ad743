import uPlot from "uplot";
import { h, replace } from "../dom.js";
import { formatTimeTick, formatUtc } from "../format/duration.js";
import { formatAxisValue, seriesName } from "../format/value.js";
import { nearestPoint, type ExemplarPoint } from "./exemplar_data.js";
import { alignSeries, isolatedPoints, legendClick, seriesColor, stackColumns, type GraphColumns, type MatrixSeries } from "./graph_data.js";
import type { DisplayMode } from "./panel_state.js";

export interface GraphRange {
  startMs: number;
  endMs: number;
  stepMs: number;
}

const HEIGHT = 420;

/** A range query's result as a uPlot chart with a legend that filters series and a
 * tooltip with the value under the cursor. Dragging across the chart zooms (the panel
 * queries the selected range). */
export class GraphView {
  readonly el: HTMLElement;
  private readonly chartEl = h("div", { class: "chart" });
  private readonly tooltip = h("div", { class: "graph-tooltip", hidden: true, "aria-hidden": "true" });
  private readonly legendEl = h("ul", { class: "legend", "aria-label": "Series (click to show only one, Ctrl+click to toggle)" });
  private plot: uPlot | null = null;
  private result: MatrixSeries[] = [];
  private names: string[] = [];
  private columns: GraphColumns = { xs: [], ys: [] };
  private visible: boolean[] = [];
  private mode: DisplayMode = "lines";
  private focused: number | null = null;
  private exemplars: ExemplarPoint[] = [];
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(private readonly onZoom: (startMs: number, endMs: number) => void) {
    this.el = h("div", { class: "graph" }, h("div", { class: "chart-wrap" }, this.chartEl, this.tooltip), this.legendEl);
    this.resize.observe(this.chartEl);
  }

  /** `exemplars` are drawn as diamonds over the lines, with their labels on hover. */
  render(result: MatrixSeries[], range: GraphRange, mode: DisplayMode, exemplars: ExemplarPoint[] = []): void {
    this.result = result;
    this.exemplars = exemplars;
    this.names = result.map((s) => seriesName(s.metric));
    this.columns = alignSeries(result, range.startMs, range.endMs, range.stepMs);
    this.visible = result.map(() => true);
    this.mode = mode;
    this.draw();
    this.drawLegend();
  }

  setMode(mode: DisplayMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    if (this.result.length > 0) this.draw();
  }

  get seriesCount(): number {
    return this.result.length;
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private width(): number {
    return Math.max(this.chartEl.clientWidth, 300);
  }

  private fit(): void {
    if (this.plot !== null && Math.abs(this.plot.width - this.width()) > 1) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }

  private data(): uPlot.AlignedData {
    const ys = this.mode === "stacked" ? stackColumns(this.columns.ys, this.visible) : this.columns.ys;
    return [this.columns.xs, ...ys];
  }

  private draw(): void {
    this.plot?.destroy();
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue("--fg-muted").trim() || "#555";
    const grid = css.getPropertyValue("--grid").trim() || "#e5e5e5";
    const stacked = this.mode === "stacked";
    const series: uPlot.Series[] = [
      {},
      ...this.names.map((label, i) => ({
        label,
        stroke: seriesColor(i),
        width: 1.25,
        show: this.visible[i],
        fill: stacked ? `${seriesColor(i)}55` : undefined,
        // Every point on short grids; otherwise only those a line cannot show.
        points: {
          show: this.columns.xs.length < 60,
          size: 5,
          filter: (u: uPlot, si: number, show: boolean) => (show ? null : isolatedPoints(u.data[si] as (number | null)[])),
        },
        spanGaps: false,
      })),
    ];
    // Stacked areas fill between each visible series and the visible one below it.
    const bands: uPlot.Band[] = [];
    if (stacked) {
      let below = -1;
      this.visible.forEach((v, i) => {
        if (!v) return;
        if (below >= 0) bands.push({ series: [i + 1, below + 1] });
        below = i;
      });
    }
    const opts: uPlot.Options = {
      width: this.width(),
      height: HEIGHT,
      // Times in UTC, like the URL and the table.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      legend: { show: false },
      series,
      bands,
      focus: { alpha: 0.35 },
      cursor: { focus: { prox: 24 }, drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
      // The y range covers the exemplars too: a latency exemplar on a rate graph.
      scales: { x: { time: true }, y: { range: (_u, min, max) => this.yRange(min, max) } },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, splits, _ax, _space, incr) => splits.map((s) => formatTimeTick(s, incr)) },
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, splits) => splits.map(formatAxisValue), size: 60 },
      ],
      hooks: {
        setSeries: [(_u, idx, s) => {
          if ((s as { focus?: boolean }).focus === true) this.focused = idx;
          else if (idx === null) this.focused = null;
          this.updateTooltip();
        }],
        setCursor: [() => this.updateTooltip()],
        draw: [(u) => this.drawExemplars(u)],
        setSelect: [(u) => {
          if (u.select.width < 2) return;
          const from = u.posToVal(u.select.left, "x") * 1000;
          const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          this.onZoom(Math.round(from), Math.round(to));
        }],
      },
    };
    replace(this.chartEl);
    this.plot = new uPlot(opts, this.data(), this.chartEl);
    const canvas = this.chartEl.querySelector("canvas");
    canvas?.setAttribute("role", "img");
    const xs = this.columns.xs;
    canvas?.setAttribute(
      "aria-label",
      `Graph of ${this.result.length} series from ${formatUtc((xs[0] ?? 0) * 1000)} to ${formatUtc((xs[xs.length - 1] ?? 0) * 1000)} UTC; the Table tab lists the values.`,
    );
  }

  private yRange(min: number | null, max: number | null): uPlot.Range.MinMax {
    let lo = min ?? Infinity;
    let hi = max ?? -Infinity;
    for (const e of this.exemplars) {
      if (this.exemplarShown(e)) {
        lo = Math.min(lo, e.v);
        hi = Math.max(hi, e.v);
      }
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
    return uPlot.rangeNum(lo, hi, 0.1, true);
  }

  private exemplarShown(e: ExemplarPoint): boolean {
    return e.series < 0 || this.visible[e.series] === true;
  }

  /** Exemplars as diamonds in their series' colour, outlined so that they stand out
   * on a line of the same colour. */
  private drawExemplars(u: uPlot): void {
    if (this.exemplars.length === 0) return;
    const ctx = u.ctx;
    const r = 4 * devicePixelRatio;
    ctx.save();
    ctx.lineWidth = devicePixelRatio;
    ctx.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue("--fg").trim() || "#222";
    for (const e of this.exemplars) {
      if (!this.exemplarShown(e)) continue;
      const x = u.valToPos(e.t, "x", true);
      const y = u.valToPos(e.v, "y", true);
      ctx.fillStyle = e.series < 0 ? "#888" : seriesColor(e.series);
      ctx.beginPath();
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  }

  /** The exemplar under the cursor, if any: it wins over the series' value. */
  private exemplarTooltip(u: uPlot): boolean {
    const cx = u.cursor.left;
    const cy = u.cursor.top;
    if (this.exemplars.length === 0 || cx === undefined || cy === undefined || cx < 0) return false;
    const shown = this.exemplars.filter((e) => this.exemplarShown(e));
    const e = nearestPoint(shown, (p) => [u.valToPos(p.t, "x"), u.valToPos(p.v, "y")], cx, cy, 8);
    if (e === undefined) return false;
    replace(
      this.tooltip,
      h("div", { class: "tt-time" }, `${formatUtc(e.t * 1000)} UTC`),
      h("div", { class: "tt-title" }, "Exemplar"),
      h("dl", { class: "tt-labels" }, Object.entries(e.labels).map(([k, v]) => [h("dt", null, k), h("dd", null, v)])),
      h("div", { class: "tt-value" }, String(e.v)),
      h("div", { class: "tt-series" }, e.series >= 0 ? h("span", { class: "swatch", style: `background:${seriesColor(e.series)}` }) : null, seriesName(e.seriesLabels)),
    );
    this.placeTooltip(u);
    return true;
  }

  private placeTooltip(u: uPlot): void {
    this.tooltip.hidden = false;
    const left = (u.cursor.left ?? 0) + u.over.offsetLeft;
    const top = (u.cursor.top ?? 0) + u.over.offsetTop;
    const flip = left > u.over.clientWidth / 2;
    this.tooltip.style.left = flip ? "" : `${left + 12}px`;
    this.tooltip.style.right = flip ? `${this.chartEl.clientWidth - left + 12}px` : "";
    this.tooltip.style.top = `${top + 12}px`;
  }

  private updateTooltip(): void {
    const u = this.plot;
    if (u !== null && this.exemplarTooltip(u)) return;
    const idx = u?.cursor.idx;
    const s = this.focused;
    if (u === null || u === undefined || idx === null || idx === undefined || s === null || s < 1 || !this.visible[s - 1]) {
      this.tooltip.hidden = true;
      return;
    }
    const v = this.columns.ys[s - 1]?.[idx];
    const t = this.columns.xs[idx];
    if (v === null || v === undefined || t === undefined) {
      this.tooltip.hidden = true;
      return;
    }
    replace(
      this.tooltip,
      h("div", { class: "tt-time" }, `${formatUtc(t * 1000)} UTC`),
      h("div", { class: "tt-series" }, h("span", { class: "swatch", style: `background:${seriesColor(s - 1)}` }), this.names[s - 1] ?? ""),
      h("div", { class: "tt-value" }, String(v)),
    );
    this.placeTooltip(u);
  }

  private drawLegend(): void {
    const items = this.names.map((name, i) =>
      h(
        "li",
        null,
        h(
          "button",
          {
            type: "button",
            class: "legend-item",
            "aria-pressed": "true",
            "data-series": i,
            onclick: (ev: MouseEvent) => this.toggle(i, ev.ctrlKey || ev.metaKey),
          },
          h("span", { class: "swatch", style: `background:${seriesColor(i)}`, "aria-hidden": "true" }),
          h("span", { class: "legend-label" }, name),
        ),
      ),
    );
    replace(this.legendEl, items);
  }

  private toggle(i: number, ctrl: boolean): void {
    const next = legendClick(this.visible, i, ctrl);
    this.visible = next;
    const buttons = this.legendEl.querySelectorAll<HTMLButtonElement>("button.legend-item");
    buttons.forEach((b, k) => b.setAttribute("aria-pressed", String(next[k])));
    if (this.mode === "stacked") {
      // The stack and its bands depend on which series are shown.
      this.draw();
      return;
    }
    const u = this.plot;
    if (u === null) return;
    u.batch(() => next.forEach((show, k) => u.series[k + 1]!.show !== show && u.setSeries(k + 1, { show })));
  }
}

