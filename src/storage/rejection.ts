import { formatSeries, labelsFromKey } from "../model/labels.js";
import type { Rejection } from "../tsdb/rpc.js";

/** A refused sample as the write handlers name it in their 400 answers. */
export function describeRejection(r: Rejection): string {
  const series = formatSeries(labelsFromKey(r.series));
  switch (r.reason) {
    case "out_of_order":
      return `out of order sample for ${series} at ${r.t}: ${r.skewMs / 1000}s older than the series' newest sample, outside the out-of-order window`;
    case "duplicate":
      return `duplicate sample for timestamp ${r.t} with a different value for ${series}`;
    case "too_old":
      return `sample for ${series} at ${r.t} is older than the retention`;
  }
}
