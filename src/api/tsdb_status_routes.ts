import { Hono } from "hono";
import { METRIC_NAME, type Labels } from "../model/labels.js";
import { newMatcher } from "../model/matchers.js";
import type { Storage } from "../storage/storage.js";
import { ApiError, success } from "./responses.js";
import { handle } from "./series_routes.js";

export interface TsdbStatusDeps {
  storage(): Storage;
  now?: () => number;
}

export interface TsdbStat {
  name: string;
  value: number;
}

/** Prometheus caps `limit` here. */
const MAX_LIMIT = 10_000;
/** Prometheus caches its cardinality statistics for half a minute; walking every
 * series' labels is not something to repeat on every page load. */
const CACHE_MS = 30_000;

/** /api/v1/status/tsdb in Prometheus' shape: head figures and the top-`limit`
 * cardinality lists Prometheus computes from its postings, here from the label sets
 * of every stored series. */
export function tsdbStatusRoutes(deps: TsdbStatusDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? (() => Date.now());
  let cache: { at: number; limit: number; body: unknown } | null = null;

  app.get("/status/tsdb", (c) =>
    handle(async () => {
      const raw = c.req.query("limit");
      let limit = 10;
      if (raw !== undefined && raw !== "") {
        limit = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
        if (!(limit >= 1)) throw new ApiError("bad_data", "limit must be a positive number");
        if (limit > MAX_LIMIT) throw new ApiError("bad_data", `limit must not exceed ${MAX_LIMIT}`);
      }
      if (cache !== null && cache.limit === limit && now() - cache.at < CACHE_MS) return success(cache.body);
      const body = await tsdbStatus(deps.storage(), limit);
      cache = { at: now(), limit, body };
      return success(body);
    }),
  );
  return app;
}

export async function tsdbStatus(storage: Storage, limit: number) {
  const all = [newMatcher("=~", METRIC_NAME, ".+")];
  const everything = { start: -Infinity, end: Infinity };
  const q = storage.querier();
  const sets: Labels[] = [];
  for await (const ls of q.series(all, everything)) sets.push(ls);
  // Newest sample of each series: its last timestamp is the head's max time.
  let maxTime = Number.MIN_SAFE_INTEGER;
  for await (const s of q.select(all, { ...everything, latestOnly: true })) {
    const t = s.ts[s.ts.length - 1];
    if (t !== undefined && t > maxTime) maxTime = t;
  }
  const stats = await storage.stats();
  const c = cardinality(sets, limit);
  return {
    headStats: {
      numSeries: sets.length,
      numLabelPairs: c.numLabelPairs,
      chunkCount: stats.chunks,
      // Prometheus reports its empty head as MaxInt64 / MinInt64.
      minTime: stats.oldestSampleMs ?? Number.MAX_SAFE_INTEGER,
      maxTime,
    },
    seriesCountByMetricName: c.seriesCountByMetricName,
    labelValueCountByLabelName: c.labelValueCountByLabelName,
    memoryInBytesByLabelName: c.memoryInBytesByLabelName,
    seriesCountByLabelValuePair: c.seriesCountByLabelValuePair,
  };
}

/** Prometheus' postings statistics (tsdb/index MemPostings.Stats) over label sets:
 * series per metric name, distinct values per label name, label bytes per label name
 * (as Prometheus sizes a label in memory: each string with a length prefix), series
 * per label pair; each list its top `limit`, largest first. */
export function cardinality(sets: readonly Labels[], limit: number) {
  const byName = new Map<string, Map<string, number>>();
  for (const ls of sets) {
    for (const { name, value } of ls) {
      let values = byName.get(name);
      if (values === undefined) byName.set(name, (values = new Map()));
      values.set(value, (values.get(value) ?? 0) + 1);
    }
  }
  const metrics: TsdbStat[] = [];
  const labels: TsdbStat[] = [];
  const memory: TsdbStat[] = [];
  const pairs: TsdbStat[] = [];
  let numLabelPairs = 0;
  for (const [name, values] of byName) {
    labels.push({ name, value: values.size });
    numLabelPairs += values.size;
    let bytes = 0;
    for (const [value, count] of values) {
      if (name === METRIC_NAME) metrics.push({ name: value, value: count });
      pairs.push({ name: `${name}=${value}`, value: count });
      bytes += labelSize(name, value) * count;
    }
    memory.push({ name, value: bytes });
  }
  return {
    numLabelPairs,
    seriesCountByMetricName: top(metrics, limit),
    labelValueCountByLabelName: top(labels, limit),
    memoryInBytesByLabelName: top(memory, limit),
    seriesCountByLabelValuePair: top(pairs, limit),
  };
}

const utf8 = new TextEncoder();

function labelSize(name: string, value: string): number {
  const n = utf8.encode(name).length;
  const v = utf8.encode(value).length;
  return n + (n < 255 ? 1 : 4) + v + (v < 255 ? 1 : 4);
}

/** Largest first; ties in name order, so the answer does not depend on map order. */
function top(stats: TsdbStat[], limit: number): TsdbStat[] {
  return stats.sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice(0, limit);
}
