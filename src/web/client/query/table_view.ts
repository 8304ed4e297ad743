import { h } from "../dom.js";
import { formatUtc } from "../format/duration.js";
import { seriesName } from "../format/value.js";
import { bucketRangeText, type ApiHistogram } from "./histogram_data.js";

export type InstantResult =
  | { resultType: "vector"; result: { metric: Record<string, string>; value?: [number, string]; histogram?: [number, ApiHistogram] }[] }
  | { resultType: "matrix"; result: { metric: Record<string, string>; values?: [number, string][]; histograms?: [number, ApiHistogram][] }[] }
  | { resultType: "scalar"; result: [number, string] }
  | { resultType: "string"; result: [number, string] };

/** Rows beyond this are counted, not drawn: a browser table of 100k rows helps no one. */
export const MAX_TABLE_ROWS = 10_000;

/** An instant query's result as a table: one row per series (or the scalar/string). */
export function resultTable(res: InstantResult): HTMLElement {
  const head = (...cols: string[]) => h("thead", null, h("tr", null, cols.map((c) => h("th", { scope: "col" }, c))));
  switch (res.resultType) {
    case "scalar":
    case "string":
      return h("table", { class: "data-table" }, head("Type", "Value"), h("tbody", null, h("tr", null, h("td", null, res.resultType), h("td", { class: "value" }, res.result[1]))));
    case "vector": {
      if (res.result.length === 0) return h("p", { class: "empty" }, "Empty query result: no series matched at this time.");
      const rows = res.result
        .slice(0, MAX_TABLE_ROWS)
        .map((s) => h("tr", null, h("td", { class: "series" }, seriesName(s.metric)), h("td", { class: "value" }, s.histogram !== undefined ? histogramCell(s.histogram[1]) : (s.value?.[1] ?? ""))));
      return wrap(h("table", { class: "data-table" }, head("Series", "Value"), h("tbody", null, rows)), res.result.length);
    }
    case "matrix": {
      if (res.result.length === 0) return h("p", { class: "empty" }, "Empty query result: no series matched in this range.");
      const rows = res.result.slice(0, MAX_TABLE_ROWS).map((s) =>
        h(
          "tr",
          null,
          h("td", { class: "series" }, seriesName(s.metric)),
          h("td", { class: "value" }, matrixValues(s.values ?? [], s.histograms ?? [])),
        ),
      );
      return wrap(h("table", { class: "data-table" }, head("Series", "Values"), h("tbody", null, rows)), res.result.length);
    }
  }
}

/** A native histogram as Prometheus' table shows it: count and sum, then each
 * non-empty bucket's range and count. */
function histogramCell(api: ApiHistogram): HTMLElement {
  const buckets = api.buckets ?? [];
  return h(
    "div",
    { class: "histogram" },
    h("div", null, h("span", { class: "muted" }, "Count: "), api.count, h("span", { class: "muted" }, " · Sum: "), api.sum),
    buckets.length === 0
      ? null
      : h(
          "table",
          { class: "buckets" },
          h("thead", null, h("tr", null, h("th", { scope: "col" }, "Bucket range"), h("th", { scope: "col" }, "Count"))),
          h("tbody", null, buckets.map(([rule, l, u, c]) => h("tr", null, h("td", null, bucketRangeText(rule, l, u)), h("td", null, c)))),
        ),
  );
}

/** Float and histogram samples of one series in time order. */
function matrixValues(values: [number, string][], histograms: [number, ApiHistogram][]): HTMLElement[] {
  const all: [number, HTMLElement | string][] = [...values.map(([t, v]): [number, string] => [t, v]), ...histograms.map(([t, hg]): [number, HTMLElement] => [t, histogramCell(hg)])];
  all.sort((a, b) => a[0] - b[0]);
  return all.map(([t, v]) => h("div", null, v, ` @${t}`, h("span", { class: "muted" }, ` (${formatUtc(t * 1000)})`)));
}

function wrap(table: HTMLElement, total: number): HTMLElement {
  if (total <= MAX_TABLE_ROWS) return table;
  return h("div", null, h("p", { class: "notice notice-warning", role: "status" }, `Showing the first ${MAX_TABLE_ROWS.toLocaleString("en")} of ${total.toLocaleString("en")} series.`), table);
}
