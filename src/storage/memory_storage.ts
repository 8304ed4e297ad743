import { sameFloatBits } from "../chunkenc/floatbits.js";
import { HistogramChunkState } from "../chunkenc/histogram_chunk_state.js";
import type { FloatHistogram } from "../model/histogram.js";
import { SampleBuffer } from "../model/sample_buffer.js";
import { compareLabels, labelsKey, METRIC_NAME, type Labels } from "../model/labels.js";
import { matchesLabels, type Matcher } from "../model/matchers.js";
import { isStaleNaN, STALE_NAN } from "../model/sample.js";
import type { AppendResult, Rejection, RejectReason, StoreStats } from "../tsdb/rpc.js";
import { Deadline } from "../tsdb/deadline.js";
import { PushdownAccumulator, type PartialAggregate, type PushdownPlan } from "../tsdb/pushdown.js";
import { emptyUsage } from "../tsdb/usage_meter.js";
import { ExemplarStorage, type ExemplarSeries, type StoredExemplar } from "../tsdb/exemplar_storage.js";
import type { Appender, DeleteResult, Querier, SelectHints, Series, Storage } from "./storage.js";

/** An in-memory Storage for tests and the promqltest runner. Samples must arrive in
 * time order per series, as in a Prometheus head without an out-of-order window: a
 * sample older than the series' newest is rejected as out of order, one at the same
 * timestamp is ignored when its value is bit-identical and rejected as a duplicate
 * otherwise. Rejections are reported by commit(), which applies the rest. */

const MAX_REJECTIONS_PER_BATCH = 10;
const RECENT_REJECTIONS = 50;

/** A series' samples with binary search over their times. */
class Samples extends SampleBuffer {
  /** Native histograms by position (absent for floats), allocated on first use. */
  hs: (FloatHistogram | undefined)[] | null = null;

  pushHistogram(t: number, h: FloatHistogram): void {
    this.hs ??= [];
    this.hs[this.n] = h;
    this.push(t, 0);
  }

  histogramAt(i: number): FloatHistogram | undefined {
    return this.hs === null ? undefined : this.hs[i];
  }

  /** First index with ts >= t. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index with ts > t. */
  upperBound(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Removes the samples at [from, to). */
  remove(from: number, to: number): void {
    if (to <= from) return;
    this.ts.copyWithin(from, to, this.n);
    this.vs.copyWithin(from, to, this.n);
    this.hs?.splice(from, to - from);
    this.n -= to - from;
  }

  /** [from, to) index range of the samples in [start, end]. */
  range(start: number, end: number): [number, number] {
    if (this.n === 0 || start > end) return [0, 0];
    return [this.lowerBound(start), this.upperBound(end)];
  }
}

class MemSeries {
  readonly samples = new Samples();
  /** How Prometheus' head would chunk this series' histograms (their read-back hints). */
  histogramChunks: HistogramChunkState | null = null;
  constructor(
    readonly labels: Labels,
    readonly key: string,
  ) {}
}

interface Counters {
  samplesAppended: number;
  outOfOrderRejected: number;
  duplicateRejected: number;
}

export class MemoryStorage implements Storage {
  private readonly byKey = new Map<string, MemSeries>();
  /** Postings for the metric name, the one matcher nearly every query has. */
  private readonly byName = new Map<string, MemSeries[]>();
  private readonly counters: Counters = { samplesAppended: 0, outOfOrderRejected: 0, duplicateRejected: 0 };
  private readonly recent: Rejection[] = [];
  /** @internal Empty (and storing nothing) unless `maxExemplars` is given. */
  readonly exemplars: ExemplarStorage;

  /** `maxExemplars` is the exemplar ring's size, like storage.exemplars.max_exemplars. */
  constructor(opts: { maxExemplars?: number } = {}) {
    this.exemplars = new ExemplarStorage(opts.maxExemplars ?? 0);
  }

  appender(): Appender {
    return new MemoryAppender(this);
  }

  querier(): Querier {
    return new MemoryQuerier(this);
  }

  async stats(): Promise<StoreStats> {
    let headSamples = 0;
    let oldest = Infinity;
    for (const s of this.byKey.values()) {
      headSamples += s.samples.n;
      if (s.samples.n > 0 && s.samples.ts[0]! < oldest) oldest = s.samples.ts[0]!;
    }
    return {
      series: this.byKey.size,
      chunks: 0,
      chunkBytes: 0,
      chunkSamples: 0,
      headSamples,
      samplesAppended: this.counters.samplesAppended,
      outOfOrderAccepted: 0,
      outOfOrderRejected: this.counters.outOfOrderRejected,
      duplicateRejected: this.counters.duplicateRejected,
      tooOldRejected: 0,
      walBytes: 0,
      databaseBytes: 0,
      retentionDeletedChunks: 0,
      sizeRetentions: 0,
      sizeRetentionDeletedChunks: 0,
      sizeRetentionDeletedBytes: 0,
      retentionLimitBytes: 0,
      retentionDeletedSeries: 0,
      oldestSampleMs: oldest === Infinity ? null : oldest,
      recentRejections: [...this.recent],
      // Nothing here is billed: it is memory in the caller's isolate.
      usage: emptyUsage(),
    };
  }

  /** @internal Applies one appender's buffered samples. */
  commitBatch(batch: Map<string, PendingSeries>): AppendResult {
    const result: AppendResult = { appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] };
    for (const [key, p] of batch) {
      const s = this.getOrCreate(key, p.labels);
      const dst = s.samples;
      for (let i = 0; i < p.samples.n; i++) {
        const t = p.samples.ts[i]!;
        let v = p.samples.vs[i]!;
        const h = p.samples.histogramAt(i);
        if (v !== v && isStaleNaN(v)) v = STALE_NAN;
        const last = dst.n > 0 ? dst.ts[dst.n - 1]! : -Infinity;
        if (t > last) {
          if (h !== undefined) {
            s.histogramChunks ??= new HistogramChunkState();
            s.histogramChunks.append(t, h);
            dst.pushHistogram(t, s.histogramChunks.readBack(h));
          } else {
            s.histogramChunks?.float();
            dst.push(t, v);
          }
          result.appended++;
        } else if (t === last) {
          const prevH = dst.histogramAt(dst.n - 1);
          const same = h !== undefined || prevH !== undefined ? h !== undefined && prevH !== undefined && h.equals(prevH) : sameFloatBits(v, dst.vs[dst.n - 1]!);
          if (!same) this.reject(result, key, t, "duplicate", 0);
        } else {
          this.reject(result, key, t, "out_of_order", last - t);
        }
      }
      if (dst.n === 0) this.drop(s);
    }
    this.counters.samplesAppended += result.appended;
    return result;
  }

  private reject(result: AppendResult, series: string, t: number, reason: RejectReason, skewMs: number): void {
    result.rejected++;
    if (reason === "duplicate") this.counters.duplicateRejected++;
    else this.counters.outOfOrderRejected++;
    const r: Rejection = { series, t, reason, skewMs };
    if (result.rejections.length < MAX_REJECTIONS_PER_BATCH) result.rejections.push(r);
    this.recent.push(r);
    if (this.recent.length > RECENT_REJECTIONS) this.recent.shift();
  }

  private getOrCreate(key: string, labels: Labels): MemSeries {
    let s = this.byKey.get(key);
    if (s !== undefined) return s;
    s = new MemSeries(labels, key);
    this.byKey.set(key, s);
    const name = nameOf(labels);
    let list = this.byName.get(name);
    if (list === undefined) this.byName.set(name, (list = []));
    list.push(s);
    return s;
  }

  async deleteSeries(matchers: readonly Matcher[], start: number, end: number): Promise<DeleteResult> {
    const out: DeleteResult = { series: 0, samples: 0 };
    for (const s of this.matching(matchers, { start, end })) {
      const [from, to] = s.samples.range(start, end);
      s.samples.remove(from, to);
      out.samples += to - from;
      if (s.samples.n === 0) {
        this.drop(s);
        this.exemplars.deleteSeries(s.key);
        out.series++;
      }
    }
    return out;
  }

  /** Forgets a series created by a batch whose samples were all rejected. */
  private drop(s: MemSeries): void {
    this.byKey.delete(s.key);
    const name = nameOf(s.labels);
    const list = this.byName.get(name)!;
    list.splice(list.indexOf(s), 1);
    if (list.length === 0) this.byName.delete(name);
  }

  /** @internal Series matching all matchers that have a sample in [start, end], sorted
   * by labels. */
  matching(matchers: readonly Matcher[], hints: SelectHints): MemSeries[] {
    let candidates: Iterable<MemSeries> = this.byKey.values();
    for (const m of matchers) {
      if (m.name === METRIC_NAME && m.type === "=") {
        candidates = this.byName.get(m.value) ?? [];
        break;
      }
    }
    const out: MemSeries[] = [];
    for (const s of candidates) {
      if (!matchesLabels(matchers, s.labels)) continue;
      const [from, to] = s.samples.range(hints.start, hints.end);
      if (to > from) out.push(s);
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }
}

function nameOf(labels: Labels): string {
  for (const l of labels) if (l.name === METRIC_NAME) return l.value;
  return "";
}

interface PendingSeries {
  labels: Labels;
  samples: Samples;
}

class MemoryAppender implements Appender {
  private batch = new Map<string, PendingSeries>();
  private exemplars: { key: string; e: StoredExemplar }[] = [];

  constructor(private readonly storage: MemoryStorage) {}

  append(labels: Labels, t: number, v: number): void {
    if (labels.length === 0) throw new Error("cannot append a sample to a series without labels");
    if (!Number.isFinite(t)) throw new Error(`invalid sample timestamp ${t}`);
    const key = labelsKey(labels);
    let p = this.batch.get(key);
    if (p === undefined) this.batch.set(key, (p = { labels, samples: new Samples() }));
    p.samples.push(t, v);
  }

  appendHistogram(labels: Labels, t: number, h: FloatHistogram): void {
    if (labels.length === 0) throw new Error("cannot append a sample to a series without labels");
    if (!Number.isFinite(t)) throw new Error(`invalid sample timestamp ${t}`);
    const key = labelsKey(labels);
    let p = this.batch.get(key);
    if (p === undefined) this.batch.set(key, (p = { labels, samples: new Samples() }));
    p.samples.pushHistogram(t, h);
  }

  appendExemplar(labels: Labels, e: StoredExemplar): void {
    this.exemplars.push({ key: labelsKey(labels), e });
  }

  async commit(): Promise<AppendResult> {
    const batch = this.batch;
    const exemplars = this.exemplars;
    this.batch = new Map();
    this.exemplars = [];
    const res = this.storage.commitBatch(batch);
    // Best effort, as in the SeriesStore: a refused exemplar never fails the commit.
    for (const { key, e } of exemplars) this.storage.exemplars.add(key, e);
    return res;
  }

  rollback(): void {
    this.batch = new Map();
    this.exemplars = [];
  }
}

class MemoryQuerier implements Querier {
  constructor(private readonly storage: MemoryStorage) {}

  async *select(matchers: readonly Matcher[], hints: SelectHints): AsyncIterable<Series> {
    for (const s of this.storage.matching(matchers, hints)) {
      const [from, to] = s.samples.range(hints.start, hints.end);
      // Copies: callers own what they get, and later appends never show through.
      const out: Series = { labels: s.labels, ts: s.samples.ts.slice(from, to), vs: s.samples.vs.slice(from, to) };
      if (s.samples.hs !== null) out.hs = s.samples.hs.slice(from, to);
      yield out;
    }
  }

  async selectExemplars(matcherSets: readonly (readonly Matcher[])[], start: number, end: number): Promise<ExemplarSeries[]> {
    return this.storage.exemplars.select(start, end, matcherSets);
  }

  async selectAggregate(matchers: readonly Matcher[], hints: SelectHints, plan: PushdownPlan): Promise<PartialAggregate> {
    const acc = new PushdownAccumulator(plan);
    // The engine looks at its clock between series; here storage does it for it.
    const dl = new Deadline(hints.deadline);
    dl.check();
    for await (const s of this.select(matchers, hints)) {
      dl.tick();
      if (s.hs !== undefined && s.hs.some((h) => h !== undefined)) return { ...acc.result(), declined: true };
      acc.add(s.labels, s.ts, s.vs);
    }
    return acc.result();
  }

  async *series(matchers: readonly Matcher[], hints: SelectHints): AsyncIterable<Labels> {
    for (const s of this.storage.matching(matchers, hints)) yield s.labels;
  }

  async labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    const names = new Set<string>();
    for (const s of this.storage.matching(matchers, hints)) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  async labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    const values = new Set<string>();
    for (const s of this.storage.matching(matchers, hints)) {
      for (const l of s.labels) if (l.name === name && l.value !== "") values.add(l.value);
    }
    return [...values].sort();
  }
}
