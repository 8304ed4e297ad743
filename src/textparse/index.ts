export type { Entry, ExpositionFormat, Exemplar, HelpEntry, MetadataEntry, SampleEntry, TypeEntry, UnitEntry } from "./entry.js";
export { ParseError } from "./errors.js";
export type { MetadataSequence, PreviousMetadata, PreviousSeries, SeriesLookup, SeriesSequence } from "./line-parser.js";
export { ExpositionParser, iterateExposition, parseExposition } from "./parser.js";
export { parseExpositionBatches, parseExpositionStream, type ExpositionSource } from "./stream.js";
export { belongsToFamily, FAMILY_SUFFIXES, groupFamilies, type FamilySample, type MetricFamily } from "./family.js";
export { encodeFamilies, writeExposition, writeOpenMetrics, writeText } from "./writer.js";
export {
  contentTypeFor,
  formatForContentType,
  negotiateExposition,
  prefersDelimitedProtobuf,
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
export { DELIMITED_PROTOBUF_TYPE, isDelimitedProtobuf } from "./dto_protobuf.js";
export { dtoFamilyEntries, type HistogramOptions } from "./dto_entries.js";
export { parseProtobufBatches } from "./protobuf_stream.js";
