import { Hono } from "hono";
import type { Labels } from "../model/labels.js";
import { ParseError } from "../promql/parser/errors.js";
import { parseExpr } from "../promql/parser/parser.js";
import { extractSelectors } from "../promql/parser/walk.js";
import type { ExemplarSeries, Querier } from "../storage/storage.js";
import { goJsonString, goSampleValue, goTimestamp, RawJson } from "./go_json.js";
import { Params } from "./params.js";
import { ApiError, success } from "./responses.js";
import { handle } from "./series_routes.js";

export interface ExemplarDeps {
  querier(): Querier;
}

/** /api/v1/query_exemplars: the exemplars of every series a selector of `query`
 * matches, as Prometheus answers it (Grafana's exemplar toggle asks this). */
export function exemplarRoutes(deps: ExemplarDeps): Hono {
  const app = new Hono();
  app.on(["GET", "POST"], "/query_exemplars", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      const start = p.time("start", -Infinity);
      const end = p.time("end", Infinity);
      if (end < start) throw new ApiError("bad_data", "end timestamp must not be before start timestamp");
      let expr;
      try {
        expr = parseExpr(p.get("query") ?? "");
      } catch (e) {
        if (e instanceof ParseError) throw new ApiError("bad_data", e.message);
        throw e;
      }
      const selectors = extractSelectors(expr);
      // Prometheus answers an expression without selectors (`1+1`) with null data.
      if (selectors.length === 0) return success(null);
      const q = deps.querier();
      const found = q.selectExemplars === undefined ? [] : await q.selectExemplars(selectors, start, end);
      return success(new RawJson(`[${found.map(seriesJson).join(",")}]`));
    }),
  );
  return app;
}

function seriesJson(s: ExemplarSeries): string {
  const ex = s.exemplars.map((e) => `{"labels":${labelsJson(e.labels)},"value":${goSampleValue(e.v)},"timestamp":${goTimestamp(e.t)}}`);
  return `{"seriesLabels":${labelsJson(s.seriesLabels)},"exemplars":[${ex.join(",")}]}`;
}

/** Labels as a JSON object in name order, like Go's labels.Labels. */
function labelsJson(ls: Labels): string {
  const sorted = [...ls].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `{${sorted.map((l) => `${goJsonString(l.name)}:${goJsonString(l.value)}`).join(",")}}`;
}
