import { compareLabels, fnv1a, labelsFromKey, labelsKey, type Labels } from "../model/labels.js";
import type { Matcher } from "../model/matchers.js";
import type { SeriesStore } from "../tsdb/series_store.js";
import { DeadlineExceededError, isDeadlineExceeded } from "../tsdb/deadline.js";
import type { ExemplarSeries, StoredExemplar } from "../tsdb/exemplar_storage.js";
import type { FloatHistogram } from "../model/histogram.js";
import { encodeHistogramSamples, type MixedSample } from "../tsdb/histogram_record.js";
import type { AppendAnswer, AppendBatch, AppendResult, HistogramBatch, ExemplarAppend, ExemplarAppendResult, MatcherSpec, SelectMode, SelectPage, SeriesStoreRpc, StoreStats } from "../tsdb/rpc.js";
import { mergePartials, type PartialAggregate, type PushdownPlan } from "../tsdb/pushdown.js";
import { readChunks } from "../tsdb/chunk_reader.js";
import { addUsage } from "../tsdb/usage_meter.js";
import { AggregateBatcher } from "./aggregate_batcher.js";
import { SampleBuffer } from "../model/sample_buffer.js";
import { ShardBatch } from "./shard_batch.js";
import { CommitGroup } from "./commit_group.js";
import type { SeriesRefs } from "./series_refs.js";
import { mergeSeriesStreams } from "./series_merge.js";
import type { AppendGroup, Appender, DeleteResult, LatestSamples, Querier, SelectHints, Series, Storage } from "./storage.js";

/** The slice of a SeriesStore stub that storage uses; a stub from the namespace or
 * the object itself in tests. */
/** A shard as storage reaches it: SeriesStore's RPC methods (tsdb/rpc.ts), each
 * answering now (in tests) or later (over RPC). */
export type ShardClient = { [K in keyof SeriesStoreRpc]: (...args: Parameters<SeriesStoreRpc[K]>) => ReturnType<SeriesStoreRpc[K]> | Promise<ReturnType<SeriesStoreRpc[K]>> };

/** Stubs for a tier's shards. `locationHint` (e.g. "weur") asks Cloudflare to create
 * the objects near the region's targets; it only matters when an object is first
 * created. */
export function shardClients(ns: DurableObjectNamespace<SeriesStore>, tier: string, shards: number, locationHint?: string): ShardClient[] {
  const out: ShardClient[] = [];
  const opts = locationHint ? { locationHint: locationHint as DurableObjectLocationHint } : undefined;
  for (let i = 0; i < shards; i++) out.push(ns.get(ns.idFromName(`${tier}/shard-${i}`), opts));
  return out;
}

/** A shard's answer; its deadline error arrives over RPC as a plain Error and is given
 * back its type so the engine can report a query timeout. */
async function call<T>(p: Promise<T> | T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (isDeadlineExceeded(e) && !(e instanceof DeadlineExceededError)) throw new DeadlineExceededError();
    throw e;
  }
}

function specs(ms: readonly Matcher[]): MatcherSpec[] {
  return ms.map((m) => ({ type: m.type, name: m.name, value: m.value }));
}

/** A tier's storage: series spread over SeriesStore shards by a hash of their labels,
 * selects fanned out to every shard and merged back into label order. */
export class ShardedStorage implements Storage {
  /** Per shard, shared by every querier of this storage. */
  private readonly batchers: AggregateBatcher[];

  constructor(private readonly shards: readonly ShardClient[]) {
    if (shards.length === 0) throw new Error("storage needs at least one shard");
    this.batchers = shards.map(
      (s) =>
        new AggregateBatcher(
          (r) => call(s.selectAggregate(r.specs, r.plan, r.mint, r.maxt, r.deadline)),
          (rs) => call(s.selectAggregates(rs)),
        ),
    );
  }

  shardOf(key: string): number {
    return fnv1a(key) % this.shards.length;
  }

  get shardCount(): number {
    return this.shards.length;
  }

  appender(refs?: SeriesRefs): Appender {
    return new ShardedAppender(this, refs);
  }

  querier(): Querier {
    return new ShardedQuerier(this.shards, this.batchers);
  }

  async deleteSeries(matchers: readonly Matcher[], start: number, end: number, deadline?: number): Promise<DeleteResult> {
    const all = await Promise.all(this.shards.map((s) => call(s.deleteRange(specs(matchers), start, end, deadline))));
    return all.reduce((a, b) => ({ series: a.series + b.series, samples: a.samples + b.samples }), { series: 0, samples: 0 });
  }

  async stats(): Promise<StoreStats> {
    const all = await Promise.all(this.shards.map((s) => s.getStats()));
    return all.reduce(sumStats);
  }

  /** @internal used by the appender */
  async commitHistograms(byShard: Map<number, Map<string, MixedSample[]>>): Promise<AppendResult[]> {
    return Promise.all(
      [...byShard].map(([shard, series]) => {
        const batch: HistogramBatch = { keys: [...series.keys()], data: [...series.values()].map(encodeHistogramSamples) };
        return this.shards[shard]!.appendHistograms(batch);
      }),
    );
  }

  /** @internal used by the appender */
  async commitExemplars(byShard: Map<number, ExemplarAppend[]>): Promise<void> {
    await Promise.all([...byShard].map(([shard, list]) => this.shards[shard]!.appendExemplars(list)));
  }

  /** Appenders whose commits wait for each other and go to each shard in one
   * request and one transaction (see CommitGroup); `waitMs` bounds the wait. */
  appendGroup(waitMs: number): AppendGroup {
    const group = new CommitGroup<FloatCommit, AppendResult>((items) => this.commitFloats(items), waitMs);
    return {
      join: () => {
        const member = group.join();
        return {
          querier: () => this.querier(),
          stats: () => this.stats(),
          deleteSeries: (m, start, end, deadline) => this.deleteSeries(m, start, end, deadline),
          appender: (refs) => new ShardedAppender(this, refs, member.submit),
          leave: member.leave,
        };
      },
    };
  }

  /** @internal used by the appender: the float samples of one or more commits. Each
   * shard gets one request with a section per commit that has samples for it, series
   * by reference where the commit's `refs` have them; sections a shard refuses as
   * stale go again by labels. Answers each commit on its own: its sums over the
   * shards, or the Error that failed it. */
  async commitFloats(commits: readonly FloatCommit[]): Promise<(AppendResult | Error)[]> {
    const results: (AppendResult | Error)[] = commits.map(() => ({ appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] }));
    const shards = new Set<number>();
    for (const c of commits) for (const shard of c.batches.keys()) shards.add(shard);
    await Promise.all(
      [...shards].map(async (shard) => {
        const members = commits.flatMap((c, i) => (c.batches.has(shard) ? [i] : []));
        try {
          const answers = await this.sendSections(shard, members.map((i) => commits[i]!));
          members.forEach((i, k) => {
            const ans = answers[k]!;
            const r = results[i]!;
            if (r instanceof Error) return;
            results[i] = ans.error !== undefined ? new Error(ans.error) : sumResults([r, ans]);
          });
        } catch (e) {
          for (const i of members) results[i] = e instanceof Error ? e : new Error(String(e));
        }
      }),
    );
    for (const c of commits) c.refs?.endCommit();
    return results;
  }

  /** One shard's sections of `commits`, in one request (`append` for a single one). */
  private async sendSections(shard: number, commits: readonly FloatCommit[]): Promise<AppendAnswer[]> {
    const client = this.shards[shard]!;
    const send = async (batches: AppendBatch[]) => (batches.length === 1 ? [await call(client.append(batches[0]!))] : await call(client.appendSections(batches)));
    const batches = commits.map((c) => c.batches.get(shard)!.build(c.refs !== undefined));
    const answers = await send(batches);
    const stale = commits.flatMap((_, k) => (answers[k]!.staleRefs === true ? [k] : []));
    if (stale.length > 0) {
      for (const k of stale) {
        commits[k]!.refs!.forget(shard);
        batches[k] = commits[k]!.batches.get(shard)!.build(false);
      }
      const again = await send(stale.map((k) => batches[k]!));
      stale.forEach((k, j) => (answers[k] = again[j]!));
    }
    commits.forEach((c, k) => {
      const ans = answers[k]!;
      if (ans.error === undefined) c.refs?.learn(shard, ans.epoch, batches[k]!.keys, ans.refs);
    });
    return answers;
  }
}

/** One appender's float samples, per shard, and the references it keeps. */
interface FloatCommit {
  batches: Map<number, ShardBatch>;
  refs: SeriesRefs | undefined;
}

function sumResults(results: readonly AppendResult[]): AppendResult {
  const total: AppendResult = { appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] };
  for (const r of results) {
    total.appended += r.appended;
    total.outOfOrderAccepted += r.outOfOrderAccepted;
    total.rejected += r.rejected;
    total.rejections.push(...r.rejections);
  }
  return total;
}

class ShardedAppender implements Appender {
  private batches = new Map<number, ShardBatch>();
  /** The batch the last sample went to: consecutive samples mostly share a shard. */
  private lastShard = -1;
  private lastBatch: ShardBatch | undefined;
  private exemplars = new Map<number, ExemplarAppend[]>();
  /** Series with histograms in this commit: all their samples, in append order. */
  private histograms = new Map<number, Map<string, MixedSample[]>>();

  constructor(
    private readonly storage: ShardedStorage,
    private readonly refs: SeriesRefs | undefined,
    /** Where the float samples of a commit go: the commit group this appender's
     * caller joined, else storage right away. */
    private readonly commitFloats: (c: FloatCommit) => Promise<AppendResult> = async (c) => {
      const [r] = await storage.commitFloats([c]);
      if (r instanceof Error) throw r;
      return r!;
    },
  ) {}

  appendHistogram(labels: Labels, t: number, h: FloatHistogram): void {
    const key = labelsKey(labels);
    const shard = this.storage.shardOf(key);
    let series = this.histograms.get(shard);
    if (series === undefined) this.histograms.set(shard, (series = new Map()));
    let list = series.get(key);
    if (list === undefined) {
      // Floats of this series appended before go first, in order.
      series.set(key, (list = this.batches.get(shard)?.take(key) ?? []));
    }
    list.push({ t, h });
  }

  appendExemplar(labels: Labels, e: StoredExemplar): void {
    const key = labelsKey(labels);
    const shard = this.storage.shardOf(key);
    let list = this.exemplars.get(shard);
    if (list === undefined) this.exemplars.set(shard, (list = []));
    list.push({ key, labels: e.labels, t: e.t, v: e.v });
  }

  append(labels: Labels, t: number, v: number, key = labelsKey(labels)): void {
    // A known series skips hashing its key for the shard, and its labels stay here.
    const ref = this.refs?.get(key, this.storage.shardCount);
    const shard = ref !== undefined ? ref.shard : this.storage.shardOf(key);
    if (this.histograms.size > 0) {
      const mixed = this.histograms.get(shard)?.get(key);
      if (mixed !== undefined) {
        mixed.push({ t, v });
        return;
      }
    }
    let batch = this.lastBatch;
    if (shard !== this.lastShard || batch === undefined) {
      batch = this.batches.get(shard);
      if (batch === undefined) this.batches.set(shard, (batch = new ShardBatch(this.expectedPerShard())));
      this.lastShard = shard;
      this.lastBatch = batch;
    }
    batch.push(key, t, v, ref);
  }

  /** A shard's share of the series this caller appended lately, with some room. */
  private expectedPerShard(): number {
    return this.refs === undefined ? 0 : Math.ceil((this.refs.size * 1.25) / this.storage.shardCount);
  }

  async commit(): Promise<AppendResult> {
    const batches = this.batches;
    const exemplars = this.exemplars;
    const histograms = this.histograms;
    this.batches = new Map();
    this.lastBatch = undefined;
    this.exemplars = new Map();
    this.histograms = new Map();
    // Samples first: an exemplar is about a sample, and is worthless when they fail.
    // Floats and histograms go in separate calls, each durable when it returns.
    for (const [shard, b] of batches) if (b.isEmpty()) batches.delete(shard);
    let res = await this.commitFloats({ batches, refs: this.refs });
    if (histograms.size > 0) res = sumResults([res, ...(await this.storage.commitHistograms(histograms))]);
    if (exemplars.size > 0) await this.storage.commitExemplars(exemplars);
    return res;
  }

  rollback(): void {
    this.batches = new Map();
    this.lastBatch = undefined;
    this.exemplars = new Map();
    this.histograms = new Map();
  }
}

class ShardedQuerier implements Querier {
  constructor(
    private readonly shards: readonly ShardClient[],
    private readonly batchers: readonly AggregateBatcher[],
  ) {}

  async *select(matchers: readonly Matcher[], hints: SelectHints): AsyncIterable<Series> {
    const m = specs(matchers);
    const streams = this.shards.map((s) => shardSeries(s, m, hints));
    yield* mergeSeriesStreams(streams);
  }

  /** Every shard's newest samples, in columns, merged into label order in one pass. */
  async selectLatest(matchers: readonly Matcher[], hints: SelectHints): Promise<LatestSamples> {
    const m = specs(matchers);
    const parts = await Promise.all(this.shards.map((s) => shardLatest(s, m, hints)));
    return mergeLatest(parts);
  }

  /** Each shard aggregates its own series; only per-group partials cross RPC. */
  async selectAggregate(matchers: readonly Matcher[], hints: SelectHints, plan: PushdownPlan): Promise<PartialAggregate> {
    const m = specs(matchers);
    const req = { specs: m, plan, mint: hints.start, maxt: hints.end, deadline: hints.deadline };
    const parts = await Promise.all(this.batchers.map((b) => call(b.run(req))));
    return mergePartials(plan.op, parts);
  }

  async selectExemplars(matcherSets: readonly (readonly Matcher[])[], start: number, end: number): Promise<ExemplarSeries[]> {
    const sets = matcherSets.map(specs);
    const all = await Promise.all(this.shards.map((s) => call(s.selectExemplars(sets, start, end))));
    // A series lives in one shard, so merging is a sort.
    return all.flat().sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  async *series(matchers: readonly Matcher[], hints: SelectHints): AsyncIterable<Labels> {
    const m = specs(matchers);
    for (const shard of this.shards) {
      let page = await call(shard.select(m, hints.start, hints.end, undefined, "labels", hints.deadline));
      for (;;) {
        for (const s of page.series) yield labelsFromKey(s.key);
        if (page.cursor === undefined) break;
        page = await call(shard.select(m, hints.start, hints.end, page.cursor, "labels", hints.deadline));
      }
    }
  }

  async labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    const all = await Promise.all(this.shards.map((s) => call(s.labelNames(specs(matchers), hints.start, hints.end, hints.deadline))));
    return sortedUnion(all);
  }

  async labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]> {
    const all = await Promise.all(this.shards.map((s) => call(s.labelValues(name, specs(matchers), hints.start, hints.end, hints.deadline))));
    return sortedUnion(all);
  }
}

async function* shardSeries(shard: ShardClient, m: MatcherSpec[], hints: SelectHints): AsyncGenerator<Series> {
  const mode: SelectMode = hints.latestOnly ? "latest" : "chunks";
  let page = await call(shard.select(m, hints.start, hints.end, undefined, mode, hints.deadline));
  for (;;) {
    const cols = page.latest;
    if (cols !== undefined) {
      for (let i = 0; i < cols.keys.length; i++) yield { labels: labelsFromKey(cols.keys[i]!), ts: cols.tv.subarray(2 * i, 2 * i + 1), vs: cols.tv.subarray(2 * i + 1, 2 * i + 2) };
    }
    for (const s of page.series) {
      if (s.latest !== undefined) {
        yield { labels: labelsFromKey(s.key), ts: s.latest.subarray(0, 1), vs: s.latest.subarray(1, 2) };
        continue;
      }
      const { ts, vs, hs } = readChunks(s.chunks, hints.start, hints.end);
      if (ts.length > 0) yield hs === undefined ? { labels: labelsFromKey(s.key), ts, vs } : { labels: labelsFromKey(s.key), ts, vs, hs };
    }
    if (page.cursor === undefined) return;
    page = await call(shard.select(m, hints.start, hints.end, page.cursor, mode, hints.deadline));
  }
}

/** One shard's newest samples: its pages in columns, or series by series where a
 * page holds native histograms. */
async function shardLatest(shard: ShardClient, m: MatcherSpec[], hints: SelectHints): Promise<LatestSamples> {
  const labels: Labels[] = [];
  const pages: Float64Array[] = [];
  let hs: (FloatHistogram | undefined)[] | undefined;
  const one = (t: number, v: number, h?: FloatHistogram) => {
    pages.push(Float64Array.of(t, v));
    if (h !== undefined) (hs ??= [])[labels.length - 1] = h;
  };
  let page = await call(shard.select(m, hints.start, hints.end, undefined, "latest", hints.deadline));
  for (;;) {
    if (page.latest !== undefined) {
      for (const key of page.latest.keys) labels.push(labelsFromKey(key));
      pages.push(page.latest.tv);
    }
    for (const s of page.series) {
      if (s.latest !== undefined) {
        labels.push(labelsFromKey(s.key));
        one(s.latest[0]!, s.latest[1]!);
        continue;
      }
      const { ts, vs, hs: shs } = readChunks(s.chunks, hints.start, hints.end);
      const j = ts.length - 1;
      if (j < 0) continue;
      labels.push(labelsFromKey(s.key));
      one(ts[j]!, vs[j]!, shs?.[j]);
    }
    if (page.cursor === undefined) break;
    page = await call(shard.select(m, hints.start, hints.end, page.cursor, "latest", hints.deadline));
  }
  // Pages of [t, v] pairs into the two columns; typed arrays keep stale markers' bits.
  const ts = new Float64Array(labels.length);
  const vs = new Float64Array(labels.length);
  let o = 0;
  for (const tv of pages) {
    for (let i = 0; i + 1 < tv.length; i += 2, o++) {
      ts[o] = tv[i]!;
      vs[o] = tv[i + 1]!;
    }
  }
  return hs === undefined ? { labels, ts, vs } : { labels, ts, vs, hs };
}

/** Shards' newest samples merged into label order; shards hold disjoint series. */
function mergeLatest(parts: readonly LatestSamples[]): LatestSamples {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.labels.length;
  const out: LatestSamples = { labels: new Array<Labels>(n), ts: new Float64Array(n), vs: new Float64Array(n) };
  const at = parts.map(() => 0);
  for (let o = 0; o < n; o++) {
    let best = -1;
    for (let k = 0; k < parts.length; k++) {
      if (at[k]! >= parts[k]!.labels.length) continue;
      if (best < 0 || compareLabels(parts[k]!.labels[at[k]!]!, parts[best]!.labels[at[best]!]!) < 0) best = k;
    }
    const p = parts[best]!;
    const i = at[best]!++;
    out.labels[o] = p.labels[i]!;
    out.ts[o] = p.ts[i]!;
    out.vs[o] = p.vs[i]!;
    const h = p.hs?.[i];
    if (h !== undefined) (out.hs ??= [])[o] = h;
  }
  return out;
}

function sortedUnion(lists: string[][]): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const v of l) set.add(v);
  return [...set].sort();
}

function sumStats(a: StoreStats, b: StoreStats): StoreStats {
  return {
    series: a.series + b.series,
    chunks: a.chunks + b.chunks,
    chunkBytes: a.chunkBytes + b.chunkBytes,
    chunkSamples: a.chunkSamples + b.chunkSamples,
    headSamples: a.headSamples + b.headSamples,
    samplesAppended: a.samplesAppended + b.samplesAppended,
    outOfOrderAccepted: a.outOfOrderAccepted + b.outOfOrderAccepted,
    outOfOrderRejected: a.outOfOrderRejected + b.outOfOrderRejected,
    duplicateRejected: a.duplicateRejected + b.duplicateRejected,
    tooOldRejected: a.tooOldRejected + b.tooOldRejected,
    walBytes: a.walBytes + b.walBytes,
    databaseBytes: a.databaseBytes + b.databaseBytes,
    retentionDeletedChunks: a.retentionDeletedChunks + b.retentionDeletedChunks,
    retentionDeletedSeries: a.retentionDeletedSeries + b.retentionDeletedSeries,
    sizeRetentions: a.sizeRetentions + b.sizeRetentions,
    sizeRetentionDeletedChunks: a.sizeRetentionDeletedChunks + b.sizeRetentionDeletedChunks,
    sizeRetentionDeletedBytes: a.sizeRetentionDeletedBytes + b.sizeRetentionDeletedBytes,
    retentionLimitBytes: a.retentionLimitBytes + b.retentionLimitBytes,
    oldestSampleMs:
      a.oldestSampleMs === null ? b.oldestSampleMs : b.oldestSampleMs === null ? a.oldestSampleMs : Math.min(a.oldestSampleMs, b.oldestSampleMs),
    recentRejections: [...a.recentRejections, ...b.recentRejections].slice(-50),
    usage: addUsage(a.usage, b.usage),
  };
}
