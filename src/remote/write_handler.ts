import { readBodyLimited } from "../encoding/body.js";
import { formatSeries, labelsFromKey, metricName, sortLabels } from "../model/labels.js";
import { DEFAULT_LIMITS, labelLimitError, type InputLimits } from "../model/limits.js";
import type { Rejection, Storage } from "../storage/storage.js";
import { histogramValidationError } from "../model/histogram_validation.js";
import { unsupportedWriteMedia } from "./write_headers.js";
import { decodeRemoteWriteBody, isRemoteDecodeError, sortedLabels } from "./write_request.js";

export interface RemoteWriteOptions {
  /** Largest accepted compressed body; the decoded size is bounded at 4x this. */
  maxBodyBytes: number;
  /** Label limits; a request with a series beyond them is rejected whole. */
  limits?: InputLimits;
}

/** Series named in one answer at most. */
const MAX_NAMED = 10;

/** POST /api/v1/write: Prometheus remote write 1.0. Every valid sample of the request
 * is stored; rejected ones are named in a 400 so the sender logs them instead of
 * retrying (Prometheus treats 4xx as unrecoverable). */
export async function remoteWriteHandler(req: Request, storage: Storage, opts: RemoteWriteOptions): Promise<Response> {
  const unsupported = unsupportedWriteMedia(req.headers);
  if (unsupported !== undefined) return text(415, unsupported);
  const body = await readBodyLimited(req, opts.maxBodyBytes);
  if (body === null) return text(413, `request body too large: limit is ${opts.maxBodyBytes} bytes`);
  let wr;
  try {
    wr = decodeRemoteWriteBody(body, { maxDecodedBytes: opts.maxBodyBytes * 4 });
  } catch (e) {
    if (isRemoteDecodeError(e)) return text(400, `cannot decode remote write request: ${e.message}`);
    throw e;
  }
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const labelSets = wr.timeseries.map((ts) => sortedLabels(ts.labels));
  for (const labels of labelSets) {
    const err = labelLimitError(labels, limits);
    if (err !== undefined) return text(400, `request rejected, nothing was written: ${err}`);
  }
  const app = storage.appender();
  const invalid: string[] = [];
  let invalidHistograms = 0;
  const unnamed: string[] = [];
  let unnamedSamples = 0;
  wr.timeseries.forEach((ts, i) => {
    const labels = labelSets[i]!;
    // Prometheus skips series without a metric name; the answer names them too.
    if (ts.samples.length + ts.histograms.length > 0 && metricName(labels) === "") {
      unnamedSamples += ts.samples.length + ts.histograms.length;
      if (unnamed.length < MAX_NAMED) unnamed.push(formatSeries(labels));
      return;
    }
    for (const s of ts.samples) app.append(labels, s.t, s.v);
    for (const x of ts.histograms) {
      // As Prometheus: an invalid histogram is refused alone, the rest is stored.
      const err = app.appendHistogram === undefined ? "this storage does not keep native histograms" : histogramValidationError(x.h, x.integer);
      if (err !== undefined) {
        invalidHistograms++;
        if (invalid.length < MAX_NAMED) invalid.push(`${formatSeries(labels)} at ${x.t}: ${err}`);
        continue;
      }
      app.appendHistogram!(labels, x.t, x.h);
    }
    // Prometheus stores exemplars on a best-effort basis: refused ones are logged,
    // never a reason to fail the request.
    if (app.appendExemplar !== undefined && metricName(labels) !== "") {
      for (const e of ts.exemplars) app.appendExemplar(labels, { labels: [...sortLabels(e.labels)], t: e.t, v: e.v });
    }
  });
  const res = await app.commit();
  const problems: string[] = [];
  if (res.rejected > 0) problems.push(`${res.rejected} samples rejected: ${res.rejections.map(describe).join("; ")}`);
  if (unnamedSamples > 0) problems.push(`${unnamedSamples} samples dropped: series without a metric name: ${unnamed.join(", ")}`);
  if (invalidHistograms > 0) problems.push(`${invalidHistograms} native histogram samples rejected: ${invalid.join("; ")}`);
  if (problems.length > 0) return text(400, problems.join("\n"));
  return new Response(null, { status: 204 });
}

function describe(r: Rejection): string {
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

function text(status: number, msg: string): Response {
  return new Response(msg + "\n", { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
