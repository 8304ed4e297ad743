import type { FloatHistogram } from "../../model/histogram.js";
import type { Labels } from "../../model/labels.js";

/**
 * What the evaluator passes between nodes. A query is evaluated at N steps
 * (N = 1 for an instant query); an instant-vector node yields series whose labels are
 * fixed and whose values are dense over the steps with a presence flag, so label work
 * (matching, grouping, name dropping) is done once per series instead of once per step.
 */
export interface StepSeries {
  labels: Labels;
  vs: Float64Array;
  /** 1 where the series has a value at that step. */
  has: Uint8Array;
  /** Native histogram values by step; where set (and has[i]), the value at step i is
   * that histogram and vs[i] means nothing. Absent when the series has none. */
  hs?: (FloatHistogram | undefined)[];
  /** Timestamps of the samples behind the values, for timestamp(); absent means the
   * step times. */
  ts?: Float64Array;
  /** The metric name is to be dropped from the result. Prometheus 3 keeps it until the
   * query is done (delayed name removal), so label functions and grouping still see
   * it and series of different metrics do not collide half-way. */
  dropName?: boolean;
}

export interface StepVector {
  kind: "vector";
  series: StepSeries[];
}

export interface StepScalar {
  kind: "scalar";
  vs: Float64Array;
}

export interface StepString {
  kind: "string";
  v: string;
}

/** Raw samples of a range-vector expression (matrix selector or subquery), with the
 * window each step reads from them computed by the consumer. */
export interface RangeSeries {
  labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  /** Native histograms by sample, as in storage's Series. */
  hs?: (FloatHistogram | undefined)[];
  /** Carried from a subquery's inner series (see StepSeries.dropName). */
  dropName?: boolean;
}

export interface StepRange {
  kind: "range";
  series: RangeSeries[];
  /** Window length in ms and the evaluation time each step's window ends at. */
  range: number;
  windowEnds: Float64Array;
}

export type StepValue = StepVector | StepScalar | StepString | StepRange;

export function newSeries(labels: Labels, n: number): StepSeries {
  return { labels, vs: new Float64Array(n), has: new Uint8Array(n) };
}

/** The histogram of s at step i, if its value there is one. */
export function histAt(s: { hs?: (FloatHistogram | undefined)[] }, i: number): FloatHistogram | undefined {
  return s.hs === undefined ? undefined : s.hs[i];
}

/** Sets a histogram value at step i. */
export function setHist(s: StepSeries, i: number, h: FloatHistogram): void {
  s.hs ??= [];
  s.hs[i] = h;
  s.has[i] = 1;
}
