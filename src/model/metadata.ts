export type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "gaugehistogram"
  | "summary"
  | "info"
  | "stateset"
  | "unknown";

export interface MetricMetadata {
  type: MetricType;
  help: string;
  unit: string;
}
