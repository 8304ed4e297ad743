import type { FloatHistogram } from "../model/histogram.js";
import type { Labels } from "../model/labels.js";
import type { Matcher } from "../model/matchers.js";
import type { SeriesRefs } from "./series_refs.js";
import type { AppendResult, Rejection, StoreStats } from "../tsdb/rpc.js";
import type { PartialAggregate, PushdownPlan } from "../tsdb/pushdown.js";
import type { ExemplarSeries, StoredExemplar } from "../tsdb/exemplar_storage.js";

export type { ExemplarSeries, StoredExemplar };
export { SeriesRefs } from "./series_refs.js";

export type { AppendResult, Rejection, StoreStats, PartialAggregate, PushdownPlan };
/** What storage throws when a read passes its `deadline`. */
export { DeadlineExceededError } from "../tsdb/deadline.js";

/** Inclusive time range of a select, in ms. */
export interface SelectHints {
  start: number;
  end: number;
  /** The caller reads only the newest sample at or before `end` (an instant vector
   * selector, /federate); storage may return just that. */
  latestOnly?: boolean;
  /** Absolute time (ms since the epoch) after which the read gives up with a
   * DeadlineExceededError: the query's timeout, enforced inside the shards too. */
  deadline?: number;
}

/** One series' samples in the selected range, sorted by time, without duplicates. */
export interface Series {
  labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  /** Native histogram samples: where hs[i] is set, sample i is that histogram (its
   * counter reset hint as storage read it back) and vs[i] means nothing. */
  hs?: (FloatHistogram | undefined)[];
}

/** Each selected series' newest sample at or before the select's end, in columns:
 * series i is labels[i] with the sample (ts[i], vs[i]), or the histogram hs[i] when
 * that is set. Sorted by labels. */
export interface LatestSamples {
  labels: Labels[];
  ts: Float64Array;
  vs: Float64Array;
  hs?: (FloatHistogram | undefined)[];
}

/** What the query side of edgeprom sees of storage. Series arrive sorted by labels. */
export interface Querier {
  select(matchers: readonly Matcher[], hints: SelectHints): AsyncIterable<Series>;
  /** Optional: what select with `latestOnly` yields, all at once in columns, for
   * instant selectors over many series without a step per series. */
  selectLatest?(matchers: readonly Matcher[], hints: SelectHints): Promise<LatestSamples>;
  /** Label sets only, without reading samples (the series API). */
  series(matchers: readonly Matcher[], hints: SelectHints): AsyncIterable<Labels>;
  labelNames(matchers: readonly Matcher[], hints: SelectHints): Promise<string[]>;
  labelValues(name: string, matchers: readonly Matcher[], hints: SelectHints): Promise<string[]>;
  /**
   * Optional, like the func/grouping/step/range of Prometheus' SelectHints, but
   * binding: evaluates `plan` (an aggregation over a selector or a rate of one) next
   * to the data and returns per-group partial aggregates instead of samples. The
   * engine uses it when the expression allows and falls back to select otherwise.
   */
  selectAggregate?(matchers: readonly Matcher[], hints: SelectHints, plan: PushdownPlan): Promise<PartialAggregate>;
  /** Exemplars in [start, end] of the series matching any of the matcher sets, sorted
   * by series labels; only storages that keep exemplars have it. */
  selectExemplars?(matcherSets: readonly (readonly Matcher[])[], start: number, end: number): Promise<ExemplarSeries[]>;
}

/** Buffers samples and makes them durable on commit; nothing is visible before. */
export interface Appender {
  /** `key`, when the caller has it, is labelsKey(labels): saves building it again. */
  append(labels: Labels, t: number, v: number, key?: string): void;
  /** A native histogram sample, where the storage keeps them. */
  appendHistogram?(labels: Labels, t: number, h: FloatHistogram): void;
  /** An exemplar of the series `labels` (exemplar labels sorted by name), stored on
   * commit on a best-effort basis: refused exemplars never fail the commit. */
  appendExemplar?(labels: Labels, e: StoredExemplar): void;
  commit(): Promise<AppendResult>;
  rollback(): void;
}

export interface Storage {
  querier(): Querier;
  /** `refs`, kept by a caller that appends the same series again and again (a scrape
   * target), lets storage send series it has seen by reference instead of labels. */
  appender(refs?: SeriesRefs): Appender;
  stats(): Promise<StoreStats>;
  /** Deletes matching series' samples within [start, end] (the admin API's
   * delete_series); series left empty disappear. */
  deleteSeries(matchers: readonly Matcher[], start: number, end: number, deadline?: number): Promise<DeleteResult>;
  /** Optional: for callers that commit at the same time (the targets of one scrape
   * alarm), appenders whose commits storage sends together, once per shard, each
   * answered as if alone. A member's commit waits until every member has committed or
   * left, or `waitMs` passed; from then on commits go alone. */
  appendGroup?(waitMs: number): AppendGroup;
}

export interface AppendGroup {
  /** A member: storage whose appenders commit with the group's. It must `leave` once
   * done (after its commit, or instead of one), or the others wait for it. */
  join(): Storage & { leave(): void };
}

export interface DeleteResult {
  series: number;
  samples: number;
}
