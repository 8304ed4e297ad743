import { Hono } from "hono";
import type { Labels } from "../model/labels.js";
import { parseTime, TimeParseError } from "../model/time.js";
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
      const start = timeParam(p, "start", -Infinity);
      const end = timeParam(p, "end", Infinity);
      if (end < start) throw new ApiError("bad_data", "end timestamp must not be before start timestamp");
      let expr;
      try {
        expr = parseExpr(p.get("query") ?? "");
      } catch (e) {
        if (e instanceof ParseError) throw new ApiError("bad_data", e.message);
        throw e;
      }
      const selectors = extractSelectors(expr);
      // Prometheus answers an expression without selectors (`1+1`) with no data at
      // all, which its API writes as 204 No Content.
      if (selectors.length === 0) return new Response(null, { status: 204 });
      const q = deps.querier();
      const found = q.selectExemplars === undefined ? [] : await q.selectExemplars(selectors, start, end);
      return success(new RawJson(`[${found.map(seriesJson).join(",")}]`));
    }),
  );
  return app;
}

/** Like Params.time, with the extra words Prometheus' parseTimeParam puts in its
 * error here. */
function timeParam(p: Params, name: string, dflt: number): number {
  const v = p.get(name);
  if (v === undefined || v === "") return dflt;
  try {
    return parseTime(v);
  } catch (e) {
    if (e instanceof TimeParseError) throw new ApiError("bad_data", `invalid parameter "${name}": Invalid time value for '${name}': ${e.message}`);
    throw e;
  }
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
