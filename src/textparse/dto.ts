/**
 * Metric families in the structured shape of Prometheus' client_model (`dto`): one
 * Metric per label set, a summary's quantiles and a histogram's buckets inside it.
 * The Pushgateway stores, checks and re-exposes pushes in this shape, as the real one
 * does, because its consistency rules and JSON API are defined over it.
 */

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
