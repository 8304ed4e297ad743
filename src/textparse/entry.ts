import type { FloatHistogram } from "../model/histogram.js";
import type { Labels } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";

/** "text" is the Prometheus text format 0.0.4, "openmetrics" is OpenMetrics 1.0. */
export type ExpositionFormat = "text" | "openmetrics";

export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp?: number | undefined;
}

/** One series sample. `labels` is sorted and includes `__name__`; `name` repeats the
 * metric name so consumers can look up metadata without scanning the labels. */
export interface SampleEntry {
  readonly kind: "sample";
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since the epoch; OpenMetrics seconds are converted. */
  readonly timestamp?: number | undefined;
  readonly exemplar?: Exemplar | undefined;
  /** A native histogram sample (protobuf exposition only); `value` is then 0 and
   * means nothing. */
  readonly histogram?: FloatHistogram | undefined;
  /** A native histogram's exemplars (it may have several); `exemplar` is unset. */
  readonly exemplars?: readonly Exemplar[] | undefined;
  /** Names given with an empty value (`instance=""`): absent from `labels`, but with
   * honor_labels they still keep the target's label of that name away, as in
   * Prometheus (the Pushgateway relies on it for `instance`). */
  readonly emptyLabels?: readonly string[] | undefined;
  /** Only when the parser was given a series lookup: the series text as written
   * (`name{labels}`), and what the lookup returned for it. With `cached` set,
   * `labels` and `emptyLabels` are left empty: the consumer already has them. */
  readonly series?: string | undefined;
  readonly cached?: unknown;
}

export interface HelpEntry {
  readonly kind: "help";
  readonly name: string;
  readonly help: string;
}

export interface TypeEntry {
  readonly kind: "type";
  readonly name: string;
  /** The text format's "untyped" is reported as "unknown", as Prometheus does. */
  readonly type: MetricType;
}

export interface UnitEntry {
  readonly kind: "unit";
  readonly name: string;
  readonly unit: string;
}

export type MetadataEntry = HelpEntry | TypeEntry | UnitEntry;
export type Entry = SampleEntry | MetadataEntry;
