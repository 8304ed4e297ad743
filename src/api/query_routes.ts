import { Hono } from "hono";
import { labelsToRecord, type Labels } from "../model/labels.js";
import { formatFloat } from "../model/sample.js";
import { parseDurationParam, TimeParseError } from "../model/time.js";
import { checkResolution, type Engine } from "../promql/engine/engine.js";
import { QueryError, type QueryOptions, type QueryResult, type QueryStats, type Value } from "../promql/engine/value.js";
import { ParseError } from "../promql/parser/errors.js";
import { formatExpr } from "../promql/parser/printer.js";
import { ParseCache } from "../promql/parser/parse_cache.js";
import type { Querier } from "../storage/storage.js";
import { Params } from "./params.js";
import { goJsonNumber, goJsonString, goHistogram, goSampleTexts, goSampleValue, goSeconds, RawJson, TimestampMemo } from "./go_json.js";
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
  const trees = new ParseCache();
  const parseOrFail = (q: string, prefix: string) => {
    try {
      return trees.parse(q);
    } catch (e) {
      if (e instanceof ParseError) throw new ApiError("bad_data", prefix + e.message);
      throw e;
    }
  };
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
      // Prometheus reports a query it cannot parse as a bad "query" parameter here,
      // but not on query_range.
      const expr = parseOrFail(q, 'invalid parameter "query": ');
      const res = await run(() => deps.engine.instantQuery(deps.querier(), expr, t, statsOptions(p)));
      return success(resultJson(res), res.warnings, res.infos);
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
      await run(async () => checkResolution(start, end, step));
      const res = await run(() => deps.engine.rangeQuery(deps.querier(), parseOrFail(q, ""), start, end, step, statsOptions(p)));
      return success(resultJson(res), res.warnings, res.infos);
    }),
  );

  app.on(["GET", "POST"], "/format_query", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      return success(formatExpr(parseOrFail(required(p, "query"), 'invalid parameter "query": ')));
    }),
  );

  app.on(["GET", "POST"], "/parse_query", (c) =>
    handle(async () => {
      const p = await Params.from(c);
      return success(parseOrFail(required(p, "query"), 'invalid parameter "query": '));
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

/** Any non-empty `stats` asks for statistics, as in Prometheus; `all` adds the
 * per-step sample counts (Prometheus does so when its per-step feature is on). */
function statsOptions(p: Params): QueryOptions {
  const v = p.get("stats") ?? "";
  return v === "" ? {} : { stats: { perStep: v === "all" } };
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

/** Prometheus' JSON for query results, written directly: times in float seconds and
 * values as strings, both in Go's forms (see go_json). */
export function toJson(v: Value): RawJson {
  return new RawJson(valueJson(v, ""));
}

function resultJson(res: QueryResult): RawJson {
  return new RawJson(valueJson(res.value, res.stats ? `,"stats":${statsJson(res.stats)}` : ""));
}

function valueJson(v: Value, tail: string): string {
  switch (v.type) {
    case "scalar":
      // Prometheus' Scalar and String have their own MarshalJSON: the scalar's value in
      // 'f' form (never an exponent), the time of both as a plain float.
      return `{"resultType":"scalar","result":[${goSeconds(v.t)},"${formatFloat(v.v)}"]${tail}}`;
    case "string":
      return `{"resultType":"string","result":[${goSeconds(v.t)},${goJsonString(v.v)}]${tail}}`;
    case "vector": {
      // An instant query's samples share one time: its text is written once.
      const stamps = new TimestampMemo();
      let out = '{"resultType":"vector","result":[';
      for (let k = 0; k < v.samples.length; k++) {
        const s = v.samples[k]!;
        if (k > 0) out += ",";
        out += '{"metric":' + metricJson(s.labels);
        out += s.h === undefined ? ',"value":[' + stamps.at(0, s.t) + "," + goSampleValue(s.v) + "]}" : ',"histogram":[' + stamps.at(0, s.t) + "," + goHistogram(s.h) + "]}";
      }
      return out + "]" + tail + "}";
    }
    case "matrix": {
      // A range query's series share the step times: each step's text is written once.
      // A series' points are joined into one flat string: the answer is then a short
      // rope of long pieces, which the Response copies out at little cost.
      const stamps = new TimestampMemo();
      // A point's text up to its value, per step.
      const heads = new TimestampMemo("[", ',"');
      let out = '{"resultType":"matrix","result":[';
      for (let k = 0; k < v.series.length; k++) {
        const s = v.series[k]!;
        const { ts, vs, hs } = s;
        // Floats under "values", histograms under "histograms", each key only when
        // the series has such points.
        const texts = goSampleTexts(vs);
        const floats: string[] = [];
        let hists = "";
        for (let i = 0; i < ts.length; i++) {
          const h = hs?.[i];
          if (h === undefined) floats.push(heads.at(i, ts[i]!) + texts[i]! + '"]');
          else hists += (hists === "" ? "[" : ",[") + stamps.at(i, ts[i]!) + "," + goHistogram(h) + "]";
        }
        const points = floats.join(",");
        if (k > 0) out += ",";
        out += '{"metric":' + metricJson(s.labels);
        if (points !== "") out += ',"values":[' + points + "]";
        if (hists !== "") out += ',"histograms":[' + hists + "]";
        out += "}";
      }
      return out + "]" + tail + "}";
    }
  }
}

/** A series' labels as a JSON object, keys in the order of labelsToRecord's object.
 * Names strictly increasing and none starting with a digit (the usual case) keep
 * label order there, so the object is written straight from the labels; otherwise
 * (duplicates, an array-index name an object lists first) it is built. */
function metricJson(labels: Labels): string {
  let out = "{";
  for (let i = 0; i < labels.length; i++) {
    const name = labels[i]!.name;
    const c = name.charCodeAt(0);
    if ((c >= 48 && c <= 57) || (i > 0 && !(labels[i - 1]!.name < name))) return recordJson(labels);
    if (i > 0) out += ",";
    out += goJsonString(name) + ":" + goJsonString(labels[i]!.value);
  }
  return out + "}";
}

function recordJson(labels: Labels): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labelsToRecord(labels))) parts.push(`${goJsonString(k)}:${goJsonString(v)}`);
  return `{${parts.join(",")}}`;
}

function statsJson(st: QueryStats): string {
  const t = st.timings;
  const num = goJsonNumber;
  const timings = `{"evalTotalTime":${num(t.evalTotalTime)},"resultSortTime":${num(t.resultSortTime)},"queryPreparationTime":${num(t.queryPreparationTime)},"innerEvalTime":${num(t.innerEvalTime)},"execQueueTime":${num(t.execQueueTime)},"execTotalTime":${num(t.execTotalTime)}}`;
  const s = st.samples;
  const per = s.totalQueryableSamplesPerStep ? `"totalQueryableSamplesPerStep":[${s.totalQueryableSamplesPerStep.map(([ts, n]) => `[${goSeconds(ts)},${n}]`).join(",")}],` : "";
  return `{"timings":${timings},"samples":{${per}"totalQueryableSamples":${s.totalQueryableSamples},"peakSamples":${s.peakSamples}}}`;
}
