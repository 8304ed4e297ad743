import type { HistogramEncoding } from "../chunkenc/histogram_chunks.js";
import type { Label } from "../model/labels.js";
import type { MatchType } from "../model/matchers.js";
import type { Usage } from "./usage_meter.js";
import type { PartialAggregate, PushdownPlan } from "./pushdown.js";
import type { ExemplarSeries } from "./exemplar_storage.js";

/** Shapes that cross the Durable Object RPC boundary: plain data only (a RegExp does
 * not survive structured clone, so matchers travel as their source). */

export interface MatcherSpec {
  type: MatchType;
  name: string;
  value: string;
}

/** Samples for one series; `key` is the canonical label key (model/labels.labelsKey). */
export interface AppendSeries {
  key: string;
  ts: Float64Array;
  vs: Float64Array;
}

/** An append batch in columns: series i owns counts[i] consecutive samples of ts/vs.
 * A handful of objects cross the RPC boundary instead of two per series. Series go
 * by label key, then (`refs`) by the references the shard answered an earlier batch
 * with: counts[keys.length + i] is the count of refs[i]. */
export interface AppendBatch {
  keys: string[];
  counts: Uint32Array;
  ts: Float64Array;
  vs: Float64Array;
  refs?: Uint32Array;
  /** The shard epoch `refs` were learned in (AppendAnswer.epoch). */
  epoch?: number;
}

/** What a shard answers an append with, besides its result: the references of the
 * series sent by key, valid while its epoch stays the same. A restart or dropped
 * series start a new epoch, and a batch with references from an old one is refused
 * whole (`staleRefs`, nothing appended) so that the sender goes by labels again. */
export interface AppendAnswer extends AppendResult {
  epoch: number;
  /** refs[i] is the reference of keys[i] of the batch. */
  refs: Uint32Array;
  staleRefs?: boolean;
  /** appendSections: why this section was refused whole (nothing of it appended). */
  error?: string;
}

export function toAppendBatch(series: readonly AppendSeries[]): AppendBatch {
  let n = 0;
  for (const s of series) n += s.ts.length;
  const b: AppendBatch = { keys: [], counts: new Uint32Array(series.length), ts: new Float64Array(n), vs: new Float64Array(n) };
  let o = 0;
  series.forEach((s, i) => {
    b.keys.push(s.key);
    b.counts[i] = s.ts.length;
    b.ts.set(s.ts, o);
    b.vs.set(s.vs, o);
    o += s.ts.length;
  });
  return b;
}

/** Series with native histogram samples: series i's samples are data[i], encoded by
 * tsdb/histogram_record.ts, with the series' floats of the same commit among them in
 * order. A separate batch keeps the float columns untouched. */
export interface HistogramBatch {
  keys: string[];
  data: Uint8Array[];
}

/** One exemplar for the series `key` (canonical label key). */
export interface ExemplarAppend {
  key: string;
  labels: Label[];
  t: number;
  v: number;
}

export interface ExemplarAppendResult {
  appended: number;
  /** Not newer than the series' newest exemplar. */
  outOfOrder: number;
  /** Labels over the 128 characters OpenMetrics allows. */
  tooLong: number;
}

export type RejectReason = "out_of_order" | "duplicate" | "too_old";

export interface Rejection {
  series: string;
  t: number;
  reason: RejectReason;
  /** How far behind the series' newest sample the rejected one was, in ms. */
  skewMs: number;
}

export interface AppendResult {
  appended: number;
  outOfOrderAccepted: number;
  rejected: number;
  /** The first rejections of this batch, for error messages. */
  rejections: Rejection[];
}

export interface ChunkData {
  minT: number;
  maxT: number;
  ooo: boolean;
  /** A native histogram chunk's encoding (chunkenc/histogram_chunks.ts), else XOR. */
  enc?: HistogramEncoding;
  data: Uint8Array;
}

export interface SeriesChunks {
  /** The canonical label key: one string clones far cheaper than label objects. */
  key: string;
  chunks: ChunkData[];
  /** "latest" mode, when the open head holds the newest sample: that sample as it is
   * (chunks then empty) as [t, v], with nothing to encode or decode; a typed array
   * so that the value's bits (a stale marker's NaN) cross RPC unchanged. */
  latest?: Float64Array;
}

export interface LatestColumns {
  keys: string[];
  tv: Float64Array;
}

/** What a select returns per series: its chunks over the range, only its labels, or
 * (for instant selectors and /federate) just what is needed for the newest sample at
 * or before the range's end. */
export type SelectMode = "chunks" | "labels" | "latest";

export interface SelectPage {
  series: SeriesChunks[];
  /** "latest" mode, when every series of the page has a float as its newest sample:
   * the page in columns instead of `series` (then empty), series i being keys[i] with
   * that sample as [tv[2i], tv[2i+1]]. Two objects cross RPC instead of one per series;
   * a typed array keeps a stale marker's NaN bits. */
  latest?: LatestColumns;
  /** Present when more series match; pass back to get the next page. */
  cursor?: SelectCursor;
}

/** Where the next page starts: after the series `after` (its label key) in label
 * order. `queryId` and `offset` let the shard reuse its cached match list when it
 * still has it; without it the page is computed from `after` alone. */
export interface SelectCursor {
  queryId: string;
  offset: number;
  after: string;
}

export interface StoreStats {
  series: number;
  chunks: number;
  chunkBytes: number;
  chunkSamples: number;
  headSamples: number;
  samplesAppended: number;
  outOfOrderAccepted: number;
  outOfOrderRejected: number;
  duplicateRejected: number;
  tooOldRejected: number;
  walBytes: number;
  databaseBytes: number;
  retentionDeletedChunks: number;
  retentionDeletedSeries: number;
  /** Alarm runs that found the shard over its size limit and deleted chunks. */
  sizeRetentions: number;
  sizeRetentionDeletedChunks: number;
  sizeRetentionDeletedBytes: number;
  /** The size limit in bytes (0 = none). */
  retentionLimitBytes: number;
  oldestSampleMs: number | null;
  recentRejections: Rejection[];
  /** What the shard did that Cloudflare bills, since it started. */
  usage: Usage;
}

/** Rows a shard read and wrote (as billed) and how its data sits in rows. */
export interface StorageLayout {
  rowsRead: number;
  rowsWritten: number;
  blockRows: number;
  seriesSegmentRows: number;
  headSnapshotRows: number;
  walRows: number;
  /** Sealed chunks, packed into blocks or waiting for the next checkpoint. */
  sealedChunks: number;
  pendingChunks: number;
}

/** One pushed-down aggregation of a batch (SeriesStoreRpc.selectAggregates). */
export interface AggregateRequest {
  specs: MatcherSpec[];
  plan: PushdownPlan;
  mint: number;
  maxt: number;
  deadline?: number;
}

/** Its answer, or the message of what it threw: one failed request of a batch does
 * not fail the others. */
export type AggregateAnswer = { ok: PartialAggregate } | { error: string };

/**
 * The SeriesStore's RPC surface, declared once: the Durable Object implements it and
 * storage/ reaches shards through its asynchronous form (ShardClient), so neither side
 * re-declares the other's methods.
 */
export interface SeriesStoreRpc {
  append(input: AppendBatch): AppendAnswer;
  /** Several callers' batches in one request and one transaction, answered each on
   * its own (a scheduler alarm's targets). */
  appendSections(batches: AppendBatch[]): AppendAnswer[];
  appendHistograms(batch: HistogramBatch): AppendResult;
  select(specs: MatcherSpec[], mint: number, maxt: number, cursor?: SelectCursor, mode?: SelectMode, deadline?: number): SelectPage;
  selectAggregate(specs: MatcherSpec[], plan: PushdownPlan, mint: number, maxt: number, deadline?: number): PartialAggregate;
  /** Several selectAggregate calls in one request: concurrent queries (a rule group's
   * rules) share round trips. */
  selectAggregates(requests: AggregateRequest[]): AggregateAnswer[];
  labelNames(specs: MatcherSpec[], mint: number, maxt: number, deadline?: number): string[];
  labelValues(name: string, specs: MatcherSpec[], mint: number, maxt: number, deadline?: number): string[];
  getStats(): StoreStats;
  deleteRange(specs: MatcherSpec[], mint: number, maxt: number, deadline?: number): { series: number; samples: number };
  appendExemplars(list: ExemplarAppend[]): ExemplarAppendResult;
  selectExemplars(sets: MatcherSpec[][], mint: number, maxt: number): ExemplarSeries[];
}
