/**
 * Metric families in the structured shape of Prometheus' client_model (`dto`): one
 * Metric per label set, a summary's quantiles and a histogram's buckets inside it.
 * The Pushgateway stores, checks and re-exposes pushes in this shape, as the real one
 * does, because its consistency rules and JSON API are defined over it.
 */

import type { Span } from "../model/histogram.js";

/** client_model's MetricType enum names, in enum order (the protobuf numbers). */
export const DTO_TYPES = ["COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM", "GAUGE_HISTOGRAM"] as const;
export type DtoType = (typeof DTO_TYPES)[number];

/** Which of a Metric's value fields is set (exactly one, in a consistent family);
 * "none" for a protobuf Metric that carried no value field at all. */
export type DtoValueKind = "counter" | "gauge" | "untyped" | "summary" | "histogram" | "none";

export interface DtoLabel {
  name: string;
  value: string;
}

export interface DtoQuantile {
  quantile: number;
  value: number;
}

export interface DtoBucket {
  upperBound: number;
  cumulativeCount: number;
  exemplar?: DtoExemplar;
}

export interface DtoExemplar {
  labels: DtoLabel[];
  value: number;
  /** Milliseconds; undefined when the exemplar had no timestamp. */
  timestampMs: number | undefined;
}

/** The native (exponential bucket) part of a client_model Histogram. */
export interface DtoNativeHistogram {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  positiveSpans: Span[];
  /** Absolute counts (the wire's deltas added up). */
  positiveCounts: number[];
  negativeSpans: Span[];
  negativeCounts: number[];
  /** Sent with integer counts (deltas), as client_golang does. */
  integer: boolean;
  exemplars: DtoExemplar[];
}

export interface DtoMetric {
  labels: DtoLabel[];
  kind: DtoValueKind;
  /** Counter, gauge and untyped value. */
  value: number;
  /** Summary and histogram fields. */
  sampleCount: number;
  sampleSum: number;
  quantiles: DtoQuantile[];
  buckets: DtoBucket[];
  /** A histogram's native buckets, when it has any (spans, a zero bucket). */
  native?: DtoNativeHistogram;
  /** A counter's exemplar. */
  exemplar?: DtoExemplar;
  /** Milliseconds; undefined when the exposition gave none. */
  timestampMs: number | undefined;
}

export interface DtoFamily {
  name: string;
  help: string;
  type: DtoType;
  metrics: DtoMetric[];
}

export function newDtoMetric(labels: DtoLabel[], kind: DtoValueKind): DtoMetric {
  return { labels, kind, value: 0, sampleCount: 0, sampleSum: 0, quantiles: [], buckets: [], timestampMs: undefined };
}

/** The value field a family of `type` expects its metrics to carry. */
export function kindForType(type: DtoType): DtoValueKind | undefined {
  switch (type) {
    case "COUNTER":
      return "counter";
    case "GAUGE":
      return "gauge";
    case "SUMMARY":
      return "summary";
    case "UNTYPED":
      return "untyped";
    case "HISTOGRAM":
      return "histogram";
    default:
      return undefined;
  }
}
