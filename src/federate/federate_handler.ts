import { CounterResetHint, type FloatHistogram } from "../model/histogram.js";
import { compareLabels, LabelsBuilder, METRIC_NAME, metricName, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matchers.js";
import { isStaleNaN } from "../model/sample.js";
import { ParseError } from "../promql/parser/errors.js";
import { parseSeriesSelector } from "../promql/parser/selector.js";
import { mergeSeriesStreams } from "../storage/series_merge.js";
import type { Querier, Series } from "../storage/storage.js";
import type { DtoFamily, DtoMetric } from "../textparse/dto.js";
import { encodeDelimitedFamilies } from "../textparse/dto_protobuf.js";
import { DELIMITED_PROTOBUF_TYPE, encodeFamilies, negotiateExposition, prefersDelimitedProtobuf, type FamilySample, type MetricFamily } from "../textparse/index.js";

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
 * sorted series arrive, so the whole result is never held at once. Native histograms
 * go out only in the delimited protobuf format (when the Accept header prefers it),
 * as Prometheus does; the text formats leave them out.
 */
export async function federateHandler(req: Request, querier: Querier, opts: FederateOptions): Promise<Response> {
  const url = new URL(req.url);
  const raw = url.searchParams.getAll("match[]");
  if (raw.length === 0) return text(400, "no match[] parameter provided");
  let sets: Matcher[][];
  try {
    sets = raw.map(parseSeriesSelector);
  } catch (e) {
    if (e instanceof ParseError) return text(400, e.message);
    throw e;
  }
  const now = opts.now ?? Date.now();
  const hints = { start: now - opts.lookbackDeltaMs + 1, end: now, latestOnly: true };
  const streams = sets.map((ms) => querier.select(ms, hints)[Symbol.asyncIterator]());
  const proto = prefersDelimitedProtobuf(req.headers.get("accept"));
  const { format, contentType } = negotiateExposition(req.headers.get("accept"));
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(ctl) {
      try {
        for await (const fam of families(mergeSeriesStreams(streams), opts.externalLabels)) {
          if (proto) {
            ctl.enqueue(encodeDelimitedFamilies(dtoFamilies(fam)));
            continue;
          }
          const floats = fam.samples.filter((x) => x.histogram === undefined);
          if (floats.length === 0) continue;
          for (const chunk of encodeFamilies([{ ...fam, samples: floats }], format)) if (chunk !== EOF) ctl.enqueue(encoder.encode(chunk));
        }
        if (!proto && format === "openmetrics") ctl.enqueue(encoder.encode(EOF));
        ctl.close();
      } catch (e) {
        ctl.error(e);
      }
    },
  });
  return new Response(body, { headers: { "content-type": proto ? DELIMITED_PROTOBUF_TYPE : contentType } });
}

/** A sample with, for a native histogram, the histogram (its value means nothing). */
interface FederatedSample extends FamilySample {
  readonly histogram?: FloatHistogram;
}

interface FederatedFamily extends MetricFamily {
  readonly samples: readonly FederatedSample[];
}

/** A family as client_model messages: floats as untyped metrics, native histograms
 * as histogram metrics (gauge histograms as such), each kind its own family. */
function dtoFamilies(fam: FederatedFamily): DtoFamily[] {
  const untyped: DtoMetric[] = [];
  const hist: DtoMetric[] = [];
  let gauge = false;
  for (const x of fam.samples) {
    const labels = x.labels.filter((l) => l.name !== METRIC_NAME).map((l) => ({ name: l.name, value: l.value }));
    const m: DtoMetric = { labels, kind: "untyped", value: x.value, sampleCount: 0, sampleSum: 0, quantiles: [], buckets: [], timestampMs: x.timestamp };
    const h = x.histogram;
    if (h === undefined) {
      untyped.push(m);
      continue;
    }
    if (h.counterResetHint === CounterResetHint.Gauge) gauge = true;
    m.kind = "histogram";
    m.value = 0;
    m.sampleCount = h.count;
    m.sampleSum = h.sum;
    if (h.usesCustomBuckets()) {
      // client_model has no custom bounds: custom-bucket histograms go out classic.
      let cum = 0;
      for (const b of h.allBuckets()) m.buckets.push({ upperBound: b.upper, cumulativeCount: (cum += b.count) });
    } else {
      m.native = {
        schema: h.schema,
        zeroThreshold: h.zeroThreshold,
        zeroCount: h.zeroCount,
        positiveSpans: h.positiveSpans,
        positiveCounts: h.positiveBuckets,
        negativeSpans: h.negativeSpans,
        negativeCounts: h.negativeBuckets,
        integer: false,
        exemplars: [],
      };
    }
    hist.push(m);
  }
  const out: DtoFamily[] = [];
  if (untyped.length > 0) out.push({ name: fam.name, help: "", type: "UNTYPED", metrics: untyped });
  if (hist.length > 0) out.push({ name: fam.name, help: "", type: gauge ? "GAUGE_HISTOGRAM" : "HISTOGRAM", metrics: hist });
  return out;
}

/** Families from label-sorted series: consecutive series of one name form a family; a
 * name seen again later (label sets whose first label sorts before __name__) is held
 * back and written at the end, so no family appears twice. */
async function* families(series: AsyncIterable<Series>, external: Labels): AsyncGenerator<FederatedFamily> {
  let current: { name: string; samples: FederatedSample[] } | null = null;
  const done = new Set<string>();
  const late = new Map<string, FederatedSample[]>();
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

function family(name: string, samples: FederatedSample[]): FederatedFamily {
  return { name, type: "unknown", samples };
}

/** The newest sample of the window, unless it is a stale marker. */
function latest(s: Series, external: Labels): FederatedSample | null {
  const n = s.ts.length;
  if (n === 0) return null;
  const v = s.vs[n - 1]!;
  const h = s.hs?.[n - 1];
  if (h !== undefined ? isStaleNaN(h.sum) : v !== v && isStaleNaN(v)) return null;
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
  return h === undefined ? { labels, value: v, timestamp: s.ts[n - 1]! } : { labels, value: 0, timestamp: s.ts[n - 1]!, histogram: h };
}

function text(status: number, msg: string): Response {
  return new Response(msg + "\n", { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

