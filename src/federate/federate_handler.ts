import { textResponse } from "../encoding/body.js";
import { compareLabels, LabelsBuilder, metricName, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matchers.js";
import { isStaleNaN } from "../model/sample.js";
import { ParseError } from "../promql/parser/errors.js";
import { parseSeriesSelector } from "../promql/parser/selector.js";
import { mergeSeriesStreams } from "../storage/series_merge.js";
import type { Querier, Series } from "../storage/storage.js";
import { encodeFamilies, negotiateExposition, type FamilySample, type MetricFamily } from "../textparse/index.js";

const EOF = "# EOF\n";

export interface FederateOptions {
  /** The tier's global.external_labels, attached to series that lack them. */
  externalLabels: Labels;
  lookbackDeltaMs: number;
  now?: number;
}

/**
 * GET /federate?match[]=...: the newest non-stale sample of every matching series
 * within the lookback window, with its timestamp, grouped by metric family, in the
 * text format, or OpenMetrics when the Accept header asks for it. Written out family by family as the label-
 * sorted series arrive, so the whole result is never held at once.
 */
export async function federateHandler(req: Request, querier: Querier, opts: FederateOptions): Promise<Response> {
  const url = new URL(req.url);
  const raw = url.searchParams.getAll("match[]");
  if (raw.length === 0) return textResponse(400, "no match[] parameter provided");
  let sets: Matcher[][];
  try {
    sets = raw.map(parseSeriesSelector);
  } catch (e) {
    if (e instanceof ParseError) return textResponse(400, e.message);
    throw e;
  }
  const now = opts.now ?? Date.now();
  const hints = { start: now - opts.lookbackDeltaMs + 1, end: now, latestOnly: true };
  const streams = sets.map((ms) => querier.select(ms, hints)[Symbol.asyncIterator]());
  const { format, contentType } = negotiateExposition(req.headers.get("accept"));
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(ctl) {
      try {
        for await (const fam of families(mergeSeriesStreams(streams), opts.externalLabels)) {
          for (const chunk of encodeFamilies([fam], format)) if (chunk !== EOF) ctl.enqueue(encoder.encode(chunk));
        }
        if (format === "openmetrics") ctl.enqueue(encoder.encode(EOF));
        ctl.close();
      } catch (e) {
        ctl.error(e);
      }
    },
  });
  return new Response(body, { headers: { "content-type": contentType } });
}

/** Families from label-sorted series: consecutive series of one name form a family; a
 * name seen again later (label sets whose first label sorts before __name__) is held
 * back and written at the end, so no family appears twice. */
async function* families(series: AsyncIterable<Series>, external: Labels): AsyncGenerator<MetricFamily> {
  let current: { name: string; samples: FamilySample[] } | null = null;
  const done = new Set<string>();
  const late = new Map<string, FamilySample[]>();
  for await (const s of series) {
    const sample = latest(s, external);
    if (sample === null) continue;
    const name = metricName(s.labels);
    if (current !== null && current.name === name) {
      current.samples.push(sample);
      continue;
    }
    if (current !== null) {
      done.add(current.name);
      yield family(current.name, current.samples);
      current = null;
    }
    if (done.has(name) || late.has(name)) {
      const l = late.get(name) ?? [];
      l.push(sample);
      late.set(name, l);
      continue;
    }
    current = { name, samples: [sample] };
  }
  if (current !== null) {
    if (late.has(current.name)) late.get(current.name)!.unshift(...current.samples);
    else yield family(current.name, current.samples);
  }
  for (const [name, samples] of late) yield family(name, samples.sort((a, b) => compareLabels(a.labels, b.labels)));
}

function family(name: string, samples: FamilySample[]): MetricFamily {
  return { name, type: "unknown", samples };
}

/** The newest sample of the window, unless it is a stale marker. */
function latest(s: Series, external: Labels): FamilySample | null {
  const n = s.ts.length;
  if (n === 0) return null;
  const v = s.vs[n - 1]!;
  if (v !== v && isStaleNaN(v)) return null;
  let labels = s.labels;
  if (external.length > 0) {
    const b = new LabelsBuilder(labels);
    let changed = false;
    for (const l of external) {
      if (b.get(l.name) === "") {
        b.set(l.name, l.value);
        changed = true;
      }
    }
    if (changed) labels = b.labels();
  }
  return { labels, value: v, timestamp: s.ts[n - 1]! };
}

