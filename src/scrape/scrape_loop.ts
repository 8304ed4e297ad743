import { LabelsBuilder, labelsFromKey, labelsKey, METRIC_NAME, sortLabels, type Label, type Labels } from "../model/labels.js";
import { STALE_NAN } from "../model/sample.js";
import { sameMetadata, type MetricMetadata } from "../model/metadata.js";
import type { Appender, Storage } from "../storage/storage.js";
import type { CachedSeries, ScrapeCache, ScrapeReplay } from "./scrape_cache.js";
import { SeriesList } from "./series_list.js";
import { ProtobufError } from "../encoding/protobuf.js";
import {
  formatForContentType,
  isDelimitedProtobuf,
  ParseError,
  parseExpositionBatches,
  parseProtobufBatches,
  SCRAPE_ACCEPT_HEADER,
  type Exemplar,
  type MetadataEntry,
} from "../textparse/index.js";

/** One target as the scrape loop needs it, resolved from config, discovery and
 * relabelling. */
export interface ScrapeTarget {
  /** The scrape pool: the job name. */
  pool: string;
  url: string;
  /** Final target labels (job, instance, ...), attached to every scraped series. */
  labels: Labels;
  intervalMs: number;
  timeoutMs: number;
  honorLabels: boolean;
  honorTimestamps: boolean;
  /** follow_redirects; credentials never follow a redirect to another origin. */
  followRedirects: boolean;
  headers: Record<string, string>;
  /** 0 = no limit, for all limits. */
  bodySizeLimit: number;
  sampleLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  /** metric_relabel_configs, compiled; null drops the series. */
  metricRelabel: ((ls: Labels) => Labels | null) | null;
  /** Accept header (scrape_protocols); Prometheus 2's when unset. */
  accept?: string;
  /** scrape_native_histograms and always_scrape_classic_histograms. */
  nativeHistograms?: boolean;
  classicHistograms?: boolean;
}

/** What one target remembers between scrapes: the series it wrote last time, so the
 * ones that vanish get stale markers. */
export interface TargetState {
  series: string[];
  /** Metric metadata (TYPE, HELP, UNIT) from the last good scrape, by family. */
  metadata: Record<string, MetricMetadata>;
  health: "up" | "down" | "unknown";
  lastError: string;
  lastScrape: number;
  lastScrapeDurationMs: number;
  /** Samples whose explicit timestamps were far from the scrape time, last scrape. */
  skewedSamples: number;
  maxSkewMs: number;
}

export function newTargetState(): TargetState {
  return { series: [], metadata: {}, health: "unknown", lastError: "", lastScrape: 0, lastScrapeDurationMs: 0, skewedSamples: 0, maxSkewMs: 0 };
}

/** Explicit sample timestamps further than this from the scrape time are reported as
 * clock skew (and still stored). */
export const SKEW_REPORT_MS = 5 * 60_000;

/** The synthetic series every scrape writes, in the order Prometheus writes them. */
export const REPORT_SERIES = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"] as const;

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export class ScrapeError extends Error {}

/**
 * Scrapes one target once at time `now`: every sample of a good scrape, with the
 * target's labels and metric relabelling applied, plus Prometheus' synthetic series;
 * stale markers for series that vanished. A failed scrape stores nothing from the
 * body: `up` is 0 and everything the last scrape wrote goes stale. `cache`, kept
 * by the caller from one scrape of this target to the next, lets known lines skip
 * label parsing, relabelling and key building; the result is the same without it.
 */
export async function scrapeOnce(
  target: ScrapeTarget,
  storage: Storage,
  state: TargetState,
  fetchFn: Fetch,
  now: number,
  cache?: ScrapeCache,
): Promise<TargetState> {
  const started = Date.now();
  const app = storage.appender(cache?.refs);
  // The keys appended, in order; duplicates are caught by the cache's marks, or for
  // lines it does not know (protobuf, no cache) by `seen`.
  const keys = new SeriesList(state.series);
  let seen: Set<string> | undefined;
  let scraped = 0;
  let afterRelabel = 0;
  let skewed = 0;
  let maxSkew = 0;
  let error = "";
  let metadata: Record<string, MetricMetadata> = {};
  const last = cache?.replayFor(target);
  // What this scrape appends, kept for the next one when the body has an entity tag.
  let record: ScrapeReplay | undefined;
  try {
    const res = await fetchTarget(target, fetchFn, last?.etag);
    if (res.status === 304 && last !== undefined) {
      // The very body parsed last time: its samples again, at this scrape's time.
      await res.body?.cancel();
      const { labels, keys: lastKeys, ts, vs } = last;
      for (let i = 0; i < lastKeys.length; i++) {
        let t = ts[i]!;
        if (Number.isNaN(t)) t = now;
        else {
          const skew = Math.abs(t - now);
          if (skew > SKEW_REPORT_MS) {
            skewed++;
            if (skew > maxSkew) maxSkew = skew;
          }
        }
        app.append(labels[i]!, t, vs[i]!, lastKeys[i]);
      }
      keys.reset(lastKeys);
      scraped = last.scraped;
      afterRelabel = last.afterRelabel;
      metadata = last.metadata;
      record = last;
    } else {
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new ScrapeError(`server returned HTTP status ${res.status} ${res.statusText}`.trim());
    }
    if (res.body === null) throw new ScrapeError("empty response body");
    const contentType = res.headers.get("content-type");
    const format = formatForContentType(contentType);
    const stream = () => (target.bodySizeLimit > 0 ? limitBody(res.body!, target.bodySizeLimit) : res.body!);
    cache?.begin(target, format);
    const etag = res.headers.get("etag");
    if (cache !== undefined && etag !== null) record = { etag, target, labels: [], keys: [], ts: [], vs: [], scraped: 0, afterRelabel: 0, metadata };
    const metadataLines: MetadataEntry[] = [];
    const batches = isDelimitedProtobuf(contentType)
      ? parseProtobufBatches(stream(), { nativeHistograms: target.nativeHistograms === true, classicHistograms: target.classicHistograms === true })
      : parseExpositionBatches(wholeBodyFits(res, target) ? wholeText(res) : stream(), format, cache?.lookup);
    for await (const batch of batches) {
      for (const e of batch) {
        if (e.kind !== "sample") {
          metadataLines.push(e);
          continue;
        }
        scraped++;
        let s = e.cached as CachedSeries | undefined;
        if (s === undefined) {
          let ls: Labels | null = mergeTargetLabels(e.labels, target, e.emptyLabels);
          if (target.metricRelabel !== null) ls = target.metricRelabel(ls);
          // Relabelling that leaves no label at all drops the sample, as in Prometheus'
          // scrape loop; storing it would fail the target's whole commit.
          if (ls !== null && ls.length === 0) ls = null;
          s = ls === null ? { labels: null, key: "", limitError: "", lastSeen: 0 } : { labels: ls, key: labelsKey(ls), limitError: labelLimitError(ls, target), lastSeen: 0 };
          if (cache !== undefined && e.series !== undefined) cache.add(e.series, s);
        }
        const ls = s.labels;
        if (ls === null) continue;
        if (s.limitError !== "") throw new ScrapeError(s.limitError);
        afterRelabel++;
        if (target.sampleLimit > 0 && afterRelabel > target.sampleLimit) {
          throw new ScrapeError(`sample limit exceeded (limit: ${target.sampleLimit})`);
        }
        const key = s.key;
        const mark = s.mark;
        if (mark !== undefined) {
          if (mark.appendedIn === cache!.scrape) continue;
          mark.appendedIn = cache!.scrape;
          if (seen !== undefined) {
            if (seen.has(key)) continue;
            seen.add(key);
          }
        } else {
          // From here on every key goes into the set, the ones appended so far first.
          seen ??= new Set(keys.keys());
          if (seen.has(key)) continue;
          seen.add(key);
        }
        keys.push(key);
        let t = now;
        const explicit = target.honorTimestamps && e.timestamp !== undefined;
        if (explicit) {
          t = e.timestamp!;
          const skew = Math.abs(t - now);
          if (skew > SKEW_REPORT_MS) {
            skewed++;
            if (skew > maxSkew) maxSkew = skew;
          }
        }
        if (e.histogram === undefined) app.append(ls, t, e.value, key);
        else if (app.appendHistogram !== undefined) app.appendHistogram(ls, t, e.histogram);
        else throw new ScrapeError("native histogram scraped, but this storage does not keep native histograms");
        if (e.exemplar !== undefined && app.appendExemplar !== undefined) appendExemplar(app, ls, e.exemplar, t);
        if (e.exemplars !== undefined && app.appendExemplar !== undefined) for (const x of e.exemplars) appendExemplar(app, ls, x, t);
        if (record !== undefined) {
          // Histograms and exemplars are not replayed: such a body is parsed every time.
          if (e.histogram !== undefined || e.exemplar !== undefined || (e.exemplars?.length ?? 0) > 0) record = undefined;
          else {
            record.labels.push(ls);
            record.ts.push(explicit ? t : NaN);
            record.vs.push(e.value);
          }
        }
      }
    }
    metadata = cache === undefined ? metadataOf(metadataLines) : cache.metadataOf(metadataLines, metadataOf);
    if (record !== undefined) {
      record.keys = keys.keys();
      record.scraped = scraped;
      record.afterRelabel = afterRelabel;
      record.metadata = metadata;
    }
    }
  } catch (e) {
    app.rollback();
    keys.reset([]);
    record = undefined;
    error = describeError(e, target);
  }
  if (last === undefined || record !== last) cache?.end();
  const duration = Date.now() - started;
  let added = 0;
  const series = keys.keys();
  // A steady target writes the same series in the same order: nothing added, nothing
  // stale, and the previous list stands.
  if (series !== state.series) {
    const before = new Set(state.series);
    for (const k of series) if (!before.has(k)) added++;
    // Stale markers for what the last scrape had and this one does not.
    const current = new Set(series);
    for (const key of state.series) {
      if (!current.has(key)) appendKey(app, key, now, STALE_NAN);
    }
  }
  const up = error === "" ? 1 : 0;
  appendReport(app, target, now, {
    up,
    scrape_duration_seconds: duration / 1000,
    scrape_samples_scraped: error === "" ? scraped : 0,
    scrape_samples_post_metric_relabeling: error === "" ? afterRelabel : 0,
    scrape_series_added: error === "" ? added : 0,
  });
  const result = await app.commit();
  // Kept only once stored: a failed commit throws, and the next scrape parses again.
  if (cache !== undefined) cache.replay = record;
  if (skewed > 0 && error === "") {
    error = `${skewed} samples have timestamps up to ${Math.round(maxSkew / 1000)}s away from the scrape time (clock skew?)`;
  }
  if (result.rejected > 0 && error === "") {
    const r = result.rejections[0]!;
    error = `${result.rejected} samples rejected by storage (first: ${r.reason}, ${Math.round(r.skewMs / 1000)}s behind)`;
  }
  return {
    series,
    // The previous object when nothing changed, which tells storing it can be skipped.
    metadata: error === "" && !sameMetadata(state.metadata, metadata) ? metadata : state.metadata,
    health: up === 1 ? "up" : "down",
    lastError: error,
    lastScrape: now,
    lastScrapeDurationMs: duration,
    skewedSamples: skewed,
    maxSkewMs: maxSkew,
  };
}

const MAX_REDIRECTS = 10;

/** GETs the target, following redirects by hand so that its credentials are sent to
 * its own origin only (and not at all past a redirect elsewhere). */
async function fetchTarget(target: ScrapeTarget, fetchFn: Fetch, etag: string | undefined): Promise<Response> {
  const signal = AbortSignal.timeout(target.timeoutMs);
  const origin = new URL(target.url).origin;
  let url = target.url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = new URL(url).origin === origin;
    const headers: Record<string, string> = {
      accept: target.accept ?? SCRAPE_ACCEPT_HEADER,
      "x-prometheus-scrape-timeout-seconds": String(target.timeoutMs / 1000),
      ...(sameOrigin ? target.headers : {}),
    };
    if (etag !== undefined && hop === 0) headers["if-none-match"] = etag;
    const res = await fetchFn(url, { headers, signal, redirect: "manual" });
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || location === null || !target.followRedirects) return res;
    if (hop >= MAX_REDIRECTS) throw new ScrapeError(`stopped after ${MAX_REDIRECTS} redirects`);
    await res.body?.cancel();
    url = new URL(location, url).toString();
  }
}

/** Target labels win over scraped ones unless honor_labels; a clash renames the
 * scraped label to exported_<name>, as Prometheus does. Both sets are sorted, so the
 * common case (no clash) is a linear merge with no map or sort. */
function mergeTargetLabels(scraped: Labels, target: ScrapeTarget, empty: readonly string[] | undefined): Labels {
  // With honor_labels a label scraped with an empty value wins too: it stays absent.
  const t = empty !== undefined && target.honorLabels ? target.labels.filter((l) => !empty.includes(l.name)) : target.labels;
  const out: Label[] = [];
  let i = 0;
  let j = 0;
  while (i < scraped.length || j < t.length) {
    const a = scraped[i];
    const b = t[j];
    if (b === undefined || (a !== undefined && a.name < b.name)) {
      out.push(a!);
      i++;
    } else if (a === undefined || b.name < a.name) {
      out.push(b);
      j++;
    } else if (target.honorLabels) {
      out.push(a);
      i++;
      j++;
    } else {
      return mergeWithClashes(scraped, target);
    }
  }
  return out;
}

function mergeWithClashes(scraped: Labels, target: ScrapeTarget): Labels {
  const b = new LabelsBuilder(scraped);
  for (const l of target.labels) {
    const existing = b.get(l.name);
    if (target.honorLabels) {
      if (existing === "") b.set(l.name, l.value);
      continue;
    }
    if (existing !== "") {
      let name = "exported_" + l.name;
      while (b.get(name) !== "") name = "exported_" + name;
      b.set(name, existing);
    }
    b.set(l.name, l.value);
  }
  return b.labels();
}

/** The scrape error a series breaking a label limit causes, "" when within them. */
function labelLimitError(ls: Labels, t: ScrapeTarget): string {
  if (t.labelLimit > 0 && ls.length > t.labelLimit) {
    return `label_limit exceeded (metric: ${ls.find((l) => l.name === METRIC_NAME)?.value ?? ""}, number of labels: ${ls.length}, limit: ${t.labelLimit})`;
  }
  for (const l of ls) {
    if (t.labelNameLengthLimit > 0 && l.name.length > t.labelNameLengthLimit) {
      return `label_name_length_limit exceeded (label name: ${l.name}, length: ${l.name.length}, limit: ${t.labelNameLengthLimit})`;
    }
    if (t.labelValueLengthLimit > 0 && l.value.length > t.labelValueLengthLimit) {
      return `label_value_length_limit exceeded (label name: ${l.name}, value length: ${l.value.length}, limit: ${t.labelValueLengthLimit})`;
    }
  }
  return "";
}

function describeError(e: unknown, t: ScrapeTarget): string {
  const err = e as Error;
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return `Get "${t.url}": context deadline exceeded`;
  if (e instanceof ScrapeError) return err.message;
  if (e instanceof ParseError || e instanceof ProtobufError) return `parse error: ${err.message}`;
  return `Get "${t.url}": ${err?.message ?? String(e)}`;
}

/** As Prometheus with exemplar storage on: an exemplar without a timestamp takes its
 * sample's, and labels with empty values are dropped. Refusals (duplicates, older
 * than the series' newest) happen in storage and never fail the scrape. */
function appendExemplar(app: Appender, series: Labels, ex: Exemplar, t: number): void {
  const labels: Label[] = ex.labels.filter((l) => l.value !== "");
  sortLabels(labels);
  app.appendExemplar!(series, { labels, t: ex.timestamp ?? t, v: ex.value });
}

/** Metric metadata by family from a page's HELP, TYPE and UNIT lines. */
function metadataOf(lines: readonly MetadataEntry[]): Record<string, MetricMetadata> {
  const out: Record<string, MetricMetadata> = {};
  for (const e of lines) {
    const m = (out[e.name] ??= { type: "unknown", help: "", unit: "" });
    if (e.kind === "type") m.type = e.type;
    else if (e.kind === "help") m.help = e.help;
    else m.unit = e.unit;
  }
  return out;
}

function appendKey(app: Appender, key: string, t: number, v: number): void {
  app.append(labelsFromKey(key), t, v, key);
}

function appendReport(app: Appender, target: ScrapeTarget, t: number, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    app.append(new LabelsBuilder(target.labels).set(METRIC_NAME, name).labels(), t, v);
  }
}

/** Bodies up to this size, when their size is known up front, are read in one piece
 * (as Prometheus reads every body): the runtime then fetches and decodes them
 * without a round trip through JavaScript per network chunk. */
const WHOLE_BODY_BYTES = 4 << 20;

function wholeBodyFits(res: Response, target: ScrapeTarget): boolean {
  // A compressed body's length says nothing about the text it holds.
  if (res.headers.get("content-encoding") !== null) return false;
  const length = Number(res.headers.get("content-length") ?? NaN);
  return length >= 0 && length <= WHOLE_BODY_BYTES && (target.bodySizeLimit === 0 || length <= target.bodySizeLimit);
}

async function* wholeText(res: Response): AsyncGenerator<string> {
  yield await res.text();
}

/** Fails the read once more than `limit` bytes arrive. */
function limitBody(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        seen += chunk.byteLength;
        if (seen > limit) ctl.error(new ScrapeError(`body size limit exceeded (limit: ${limit} bytes)`));
        else ctl.enqueue(chunk);
      },
    }),
  );
}
