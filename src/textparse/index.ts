export type { Entry, ExpositionFormat, Exemplar, HelpEntry, MetadataEntry, SampleEntry, TypeEntry, UnitEntry } from "./entry.js";
export { ParseError } from "./errors.js";
export type { PreviousSeries, SeriesLookup, SeriesSequence } from "./line-parser.js";
export { ExpositionParser, iterateExposition, parseExposition } from "./parser.js";
export { parseExpositionBatches, parseExpositionStream, type ExpositionSource } from "./stream.js";
export { belongsToFamily, FAMILY_SUFFIXES, groupFamilies, type FamilySample, type MetricFamily } from "./family.js";
export { encodeFamilies, writeExposition, writeOpenMetrics, writeText } from "./writer.js";
export {
  contentTypeFor,
  formatForContentType,
  negotiateExposition,
  OPENMETRICS_CONTENT_TYPE,
  SCRAPE_ACCEPT_HEADER,
  TEXT_CONTENT_TYPE,
  type Negotiated,
} from "./content-type.js";
export {
  formatExpositionFloat,
  formatMillisAsSeconds,
  formatOpenMetricsFloat,
  parseGoFloat,
  parseGoInt64,
  secondsToMillis,
} from "./float.js";
