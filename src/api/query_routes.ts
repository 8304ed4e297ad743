import { Hono } from "hono";
import { labelsToRecord } from "../model/labels.js";
import { formatFloat } from "../model/sample.js";
import { parseDurationParam, TimeParseError } from "../model/time.js";
import type { Engine } from "../promql/engine/engine.js";
import { QueryError, type Value } from "../promql/engine/value.js";
import { ParseError } from "../promql/parser/errors.js";
import { formatExpr } from "../promql/parser/printer.js";
import { parseExpr } from "../promql/parser/parser.js";
import type { Querier } from "../storage/storage.js";
import { Params } from "./params.js";
import { ApiError, success } from "./responses.js";
import { handle } from "./series_routes.js";

export interface QueryDeps {
  querier(): Querier;
  engine: Engine;
  now?: () => number;
  /** Longest accepted PromQL text in characters (0: no limit). */
  maxQueryLength?: number;
}

/** /api/v1/query, /api/v1/query_range, /api/v1/format_query, /api/v1/parse_query. */
export function queryRoutes(deps: QueryDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? (() => Date.now());
  const maxLength = deps.maxQueryLength ?? 0;
  const required = (p: Params, name: string): string => {
    const q = requiredParam(p, name);
    if (maxLength > 0 && q.length > maxLength) throw new ApiError("bad_data", `invalid parameter "${name}": the query is ${q.length} characters long, more than the limit of ${maxLength}`);
    return q;
  };

  app.on(["GET", "POST"], "/query", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      const q = required(p, "query");
      const t = p.time("time", now());
      const res = await run(() => deps.engine.instantQuery(deps.querier(), q, t));
      return success(toJson(res.value), res.warnings, res.infos);
    }),
  );

  app.on(["GET", "POST"], "/query_range", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      const q = required(p, "query");
      const start = p.time("start", NaN);
      const end = p.time("end", NaN);
      if (Number.isNaN(start)) throw new ApiError("bad_data", 'invalid parameter "start": cannot parse "" to a valid timestamp');
      if (Number.isNaN(end)) throw new ApiError("bad_data", 'invalid parameter "end": cannot parse "" to a valid timestamp');
      if (end < start) throw new ApiError("bad_data", 'invalid parameter "end": end timestamp must not be before start time');
      const step = duration(p, "step");
      if (step <= 0) throw new ApiError("bad_data", 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((end - start) / step > 11_000) {
        throw new ApiError("bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
      }
      const res = await run(() => deps.engine.rangeQuery(deps.querier(), q, start, end, step));
      return success(toJson(res.value), res.warnings, res.infos);
    }),
  );

  app.on(["GET", "POST"], "/format_query", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      return success(formatExpr(parse(required(p, "query"))));
    }),
  );

  app.on(["GET", "POST"], "/parse_query", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      return success(parse(required(p, "query")));
    }),
  );
  return app;
}

function requiredParam(p: Params, name: string): string {
  const v = p.get(name);
  if (v === undefined || v === "") throw new ApiError("bad_data", `invalid parameter "${name}": ${name} must not be empty`);
  return v;
}

function duration(p: Params, name: string): number {
  const v = p.get(name) ?? "";
  try {
    return parseDurationParam(v);
  } catch (e) {
    if (e instanceof TimeParseError) throw new ApiError("bad_data", `invalid parameter "${name}": ${e.message}`);
    throw e;
  }
}

function parse(q: string) {
  try {
    return parseExpr(q);
  } catch (e) {
    if (e instanceof ParseError) throw new ApiError("bad_data", e.message);
    throw e;
  }
}

async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ParseError) throw new ApiError("bad_data", e.message);
    if (e instanceof QueryError) throw new ApiError(e.errorType, e.message);
    throw e;
  }
}

/** Prometheus' JSON for query results: times in float seconds, values as strings. */
export function toJson(v: Value): unknown {
  switch (v.type) {
    case "scalar":
      return { resultType: "scalar", result: [v.t / 1000, formatFloat(v.v)] };
    case "string":
      return { resultType: "string", result: [v.t / 1000, v.v] };
    case "vector":
      return {
        resultType: "vector",
        result: v.samples.map((s) => ({ metric: labelsToRecord(s.labels), value: [s.t / 1000, formatFloat(s.v)] })),
      };
    case "matrix":
      return {
        resultType: "matrix",
        result: v.series.map((s) => ({
          metric: labelsToRecord(s.labels),
          values: Array.from(s.ts, (t, i) => [t / 1000, formatFloat(s.vs[i]!)]),
        })),
      };
  }
}
