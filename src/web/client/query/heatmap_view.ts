import uPlot from "uplot";
import { h, replace } from "../dom.js";
import { formatTimeTick, formatUtc } from "../format/duration.js";
import { formatAxisValue, seriesName } from "../format/value.js";
import type { GraphRange } from "./graph_view.js";
import { bucketRange, cellAt, heatColor, heatmapCells, type Heatmap, type HistogramMatrixSeries } from "./histogram_data.js";

const HEIGHT = 420;
/** At most this many labelled boundaries on the y axis. */
const Y_TICKS = 12;

/** A range query's native histograms as a heatmap: time across, bucket boundaries up,
 * each bucket's count (or rate) as colour. One series at a time; the legend picks it. */
export class HeatmapView {
  readonly el: HTMLElement;
  private readonly chartEl = h("div", { class: "chart" });
  private readonly tooltip = h("div", { class: "graph-tooltip", hidden: true, "aria-hidden": "true" });
  private readonly scaleEl = h("div", { class: "heat-scale" });
  private readonly legendEl = h("ul", { class: "legend", "aria-label": "Histogram series (click to show one)" });
  private plot: uPlot | null = null;
  private series: HistogramMatrixSeries[] = [];
  private range: GraphRange = { startMs: 0, endMs: 0, stepMs: 1 };
  private selected = 0;
  private map: Heatmap = { boundaries: [], cells: [], max: 0 };
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor() {
    this.el = h("div", { class: "graph heatmap" }, h("div", { class: "chart-wrap" }, this.chartEl, this.tooltip), this.scaleEl, this.legendEl);
    this.resize.observe(this.chartEl);
  }

  /** Draws the series of `result` that carry histograms. */
  render(result: HistogramMatrixSeries[], range: GraphRange): void {
    this.series = result.filter((s) => (s.histograms?.length ?? 0) > 0);
    this.range = range;
    this.selected = Math.min(this.selected, Math.max(this.series.length - 1, 0));
    this.draw();
    this.drawLegend();
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

  private draw(): void {
    this.plot?.destroy();
    const s = this.series[this.selected];
    const { startMs, endMs, stepMs } = this.range;
    this.map = s === undefined ? { boundaries: [], cells: [], max: 0 } : heatmapCells(s, startMs, endMs, stepMs);
    const bounds = this.map.boundaries;
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue("--fg-muted").trim() || "#555";
    const grid = css.getPropertyValue("--grid").trim() || "#e5e5e5";
    const top = Math.max(bounds.length - 1, 1);
    const every = Math.max(1, Math.ceil(bounds.length / Y_TICKS));
    const opts: uPlot.Options = {
      width: this.width(),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      legend: { show: false },
      series: [{}, { show: false }],
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true, range: [startMs / 1000, endMs / 1000] }, y: { range: [0, top] } },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, splits, _ax, _space, incr) => splits.map((v) => formatTimeTick(v, incr)) },
        {
          stroke: fg,
          grid: { show: false },
          ticks: { stroke: grid, width: 1 },
          size: 60,
          // A tick on each boundary (every few when there are many), labelled with its value.
          splits: () => bounds.map((_, i) => i).filter((i) => i % every === 0),
          values: (_u, splits) => splits.map((i) => formatAxisValue(bounds[i] ?? NaN)),
        },
      ],
      hooks: {
        draw: [(u) => this.drawCells(u)],
        setCursor: [(u) => this.updateTooltip(u)],
      },
    };
    replace(this.chartEl);
    const xs = [startMs / 1000, endMs / 1000];
    this.plot = new uPlot(opts, [xs, [null, null]], this.chartEl);
    const canvas = this.chartEl.querySelector("canvas");
    canvas?.setAttribute("role", "img");
    canvas?.setAttribute(
      "aria-label",
      `Heatmap of the native histogram ${s === undefined ? "" : seriesName(s.metric)} from ${formatUtc(startMs)} to ${formatUtc(endMs)} UTC: ${this.map.cells.length} bucket cells, bucket boundaries ${formatAxisValue(bounds[0] ?? 0)} to ${formatAxisValue(bounds[bounds.length - 1] ?? 0)}; the Table tab lists the values.`,
    );
    canvas?.setAttribute("data-cells", String(this.map.cells.length));
    replace(
      this.scaleEl,
      h("span", { class: "muted" }, "0"),
      h("span", { class: "heat-gradient", "aria-hidden": "true", style: `background:linear-gradient(to right, ${heatColor(0)}, ${heatColor(0.5)}, ${heatColor(1)})` }),
      h("span", { class: "muted" }, formatAxisValue(this.map.max)),
    );
  }

  private drawCells(u: uPlot): void {
    const ctx = u.ctx;
    const max = this.map.max || 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    for (const c of this.map.cells) {
      // Whole pixels, so that neighbouring cells meet without an anti-aliased seam.
      const x0 = Math.round(u.valToPos(c.x0, "x", true));
      const x1 = Math.round(u.valToPos(c.x1, "x", true));
      const y0 = Math.round(u.valToPos(c.y0, "y", true));
      const y1 = Math.round(u.valToPos(c.y1, "y", true));
      ctx.fillStyle = heatColor(Math.abs(c.bucket.count) / max);
      // Zero-width buckets (a zero bucket of threshold 0) still get a visible line.
      const hgt = Math.max(Math.abs(y0 - y1), 2 * devicePixelRatio);
      ctx.fillRect(x0, Math.min(y0, y1), Math.max(x1 - x0, devicePixelRatio), hgt);
    }
    ctx.restore();
  }

  private updateTooltip(u: uPlot): void {
    const left = u.cursor.left;
    const top = u.cursor.top;
    const cell = left === undefined || top === undefined || left < 0 ? undefined : cellAt(this.map, u.posToVal(left, "x"), u.posToVal(top, "y"));
    if (cell === undefined) {
      this.tooltip.hidden = true;
      return;
    }
    replace(
      this.tooltip,
      h("div", { class: "tt-time" }, `${formatUtc(cell.t * 1000)} UTC`),
      h("div", { class: "tt-series" }, `Bucket ${bucketRange(cell.bucket, formatAxisValue)}`),
      h("div", { class: "tt-value" }, String(cell.bucket.count)),
    );
    this.tooltip.hidden = false;
    const x = left! + u.over.offsetLeft;
    const y = top! + u.over.offsetTop;
    const flip = x > u.over.clientWidth / 2;
    this.tooltip.style.left = flip ? "" : `${x + 12}px`;
    this.tooltip.style.right = flip ? `${this.chartEl.clientWidth - x + 12}px` : "";
    this.tooltip.style.top = `${y + 12}px`;
  }

  private drawLegend(): void {
    replace(
      this.legendEl,
      this.series.map((s, i) =>
        h(
          "li",
          null,
          h(
            "button",
            { type: "button", class: "legend-item", "aria-pressed": String(i === this.selected), onclick: () => this.select(i) },
            h("span", { class: "legend-label" }, seriesName(s.metric)),
          ),
        ),
      ),
    );
  }

  private select(i: number): void {
    if (i === this.selected) return;
    this.selected = i;
    this.draw();
    this.drawLegend();
  }
}
