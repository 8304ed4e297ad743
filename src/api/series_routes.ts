import { Hono } from "hono";
import { compareLabels, isValidLabelName, labelsKey, labelsToRecord, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matchers.js";
import type { Querier, SelectHints } from "../storage/storage.js";
import { Params } from "./params.js";
import { ApiError, failure, success } from "./responses.js";

export interface ApiDeps {
  querier(): Querier;
}

const TRUNCATED = "results truncated due to limit";

/** Metadata routes: /api/v1/series, /api/v1/labels, /api/v1/label/:name/values. */
export function seriesRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  const series = async (p: Params) => {
    const sets = p.matchers(true);
    const hints = timeRange(p);
    const limit = p.limit();
    const seen = new Map<string, Labels>();
    const q = deps.querier();
    for (const ms of sets) {
      for await (const ls of q.series(ms, hints)) seen.set(labelsKey(ls), ls);
    }
    const all = [...seen.values()].sort(compareLabels);
    const warnings: string[] = [];
    if (limit > 0 && all.length > limit) {
      all.length = limit;
      warnings.push(TRUNCATED);
    }
    return success(all.map(labelsToRecord), warnings);
  };

  const labels = async (p: Params) => {
    const hints = timeRange(p);
    const names = await unionOver(p.matchers(false), (ms) => deps.querier().labelNames(ms, hints));
    return limited(names, p.limit());
  };

  const values = async (name: string, p: Params) => {
    if (!isValidLabelName(name)) throw new ApiError("bad_data", `invalid label name: "${name}"`);
    const hints = timeRange(p);
    const vals = await unionOver(p.matchers(false), (ms) => deps.querier().labelValues(name, ms, hints));
    return limited(vals, p.limit());
  };

  app.on(["GET", "POST"], "/series", (c) => handle(async () => series(await Params.from(c))));
  app.on(["GET", "POST"], "/labels", (c) => handle(async () => labels(await Params.from(c))));
  app.get("/label/:name/values", (c) => handle(async () => values(c.req.param("name"), await Params.from(c))));
  return app;
}

/** Turns ApiErrors into Prometheus' error envelope. */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError) return failure(e.type, e.message);
    return failure("internal", (e as Error).message);
  }
}

function timeRange(p: Params): SelectHints {
  const start = p.time("start", -Infinity);
  const end = p.time("end", Infinity);
  if (end < start) throw new ApiError("bad_data", 'invalid parameter "end": end timestamp must not be before start time');
  return { start, end };
}

async function unionOver(sets: Matcher[][], fn: (ms: Matcher[]) => Promise<string[]>): Promise<string[]> {
  if (sets.length === 0) return fn([]);
  const out = new Set<string>();
  for (const ms of sets) for (const v of await fn(ms)) out.add(v);
  return [...out].sort();
}

function limited(list: string[], limit: number): Response {
  if (limit > 0 && list.length > limit) return success(list.slice(0, limit), [TRUNCATED]);
  return success(list);
}
