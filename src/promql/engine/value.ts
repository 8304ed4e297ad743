import type { FloatHistogram } from "../../model/histogram.js";
import type { Labels } from "../../model/labels.js";

/** Results of evaluating PromQL, shaped like Prometheus' promql.Value kinds.
 * Timestamps are integer milliseconds. */

export interface Scalar {
  type: "scalar";
  t: number;
  v: number;
}

export interface StringValue {
  type: "string";
  t: number;
  v: string;
}

export interface VectorSample {
  labels: Labels;
  t: number;
  v: number;
  /** A native histogram sample (v means nothing then). */
  h?: FloatHistogram;
}

export interface Vector {
  type: "vector";
  samples: VectorSample[];
}

export interface MatrixSeries {
  labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  /** Native histograms by point (absent where the point is a float). */
  hs?: (FloatHistogram | undefined)[];
}

export interface Matrix {
  type: "matrix";
  series: MatrixSeries[];
}

export type Value = Scalar | StringValue | Vector | Matrix;

export interface QueryResult {
  value: Value;
  warnings: string[];
  infos: string[];
  /** Present when the query asked for statistics. */
  stats?: QueryStats;
}

/** Prometheus' query statistics (`stats=all`): phase timings in seconds and sample
 * counts. */
export interface QueryStats {
  timings: {
    evalTotalTime: number;
    resultSortTime: number;
    queryPreparationTime: number;
    innerEvalTime: number;
    execQueueTime: number;
    execTotalTime: number;
  };
  samples: {
    /** [step time in ms, samples read at that step]. */
    totalQueryableSamplesPerStep?: Array<[number, number]>;
    totalQueryableSamples: number;
    peakSamples: number;
  };
}

export interface QueryOptions {
  /** Collect QueryStats; `perStep` adds the per-step sample counts. */
  stats?: { perStep: boolean };
}

/** An evaluation failure with Prometheus' API error type. */
export class QueryError extends Error {
  constructor(
    readonly errorType: "execution" | "timeout" | "canceled" | "bad_data",
    message: string,
  ) {
    super(message);
  }
}

export interface EngineOptions {
  /** How far back an instant selector looks for a sample (default 5m). */
  lookbackDeltaMs: number;
  /** Most samples held in memory by one query (default 50,000,000). */
  maxSamples: number;
  /** Query timeout (default 2m). */
  timeoutMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  lookbackDeltaMs: 5 * 60_000,
  maxSamples: 50_000_000,
  timeoutMs: 2 * 60_000,
};
