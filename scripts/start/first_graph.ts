/** What a new federation has to show: the demo service's request rate per region
 * and status code, as the global tier sees it through federation. */
export const FIRST_GRAPH_QUERY = "sum by (region, code) (rate(demo_http_requests_total[1m]))";

/** A link to the global tier's query page with that graph, in Prometheus' URL format. */
export function firstGraphUrl(globalUrl: string): string {
  const q = new URLSearchParams({ "g0.expr": FIRST_GRAPH_QUERY, "g0.tab": "graph", "g0.range_input": "15m" });
  return `${globalUrl}/query?${q.toString()}`;
}
