import { textResponse } from "../encoding/body.js";
import { metricName, sortLabels, type Labels } from "../model/labels.js";
import { DEFAULT_LIMITS, labelLimitError, type InputLimits } from "../model/limits.js";
import type { AppendResult, Storage } from "../storage/storage.js";
import { snappyDecompress } from "./snappy.js";
import { isRemoteDecodeError, sortedLabels } from "./write_request.js";
import { WriteProblems } from "./write_problems.js";
import { decodeWriteRequestV2, type WriteRequestV2 } from "./write_request_v2.js";

export const SAMPLES_WRITTEN = "X-Prometheus-Remote-Write-Samples-Written";
export const HISTOGRAMS_WRITTEN = "X-Prometheus-Remote-Write-Histograms-Written";
export const EXEMPLARS_WRITTEN = "X-Prometheus-Remote-Write-Exemplars-Written";

/**
 * A remote write 2.0 body (snappy-compressed `io.prometheus.write.v2.Request`). Like
 * 1.0: a body that does not decode or breaks a label limit is refused whole (400);
 * series without a metric name and samples storage refuses are named in a 400 while
 * the rest is stored. Every answer says what was written in the spec's
 * X-Prometheus-Remote-Write-*-Written headers, so the sender can tell a partial write.
 */
export async function remoteWriteV2(body: Uint8Array, storage: Storage, opts: { maxDecodedBytes: number; limits?: InputLimits }): Promise<Response> {
  let wr: WriteRequestV2;
  try {
    wr = decodeWriteRequestV2(snappyDecompress(body, opts.maxDecodedBytes));
  } catch (e) {
    if (isRemoteDecodeError(e)) return written(textResponse(400, `cannot decode remote write 2.0 request: ${e.message}`), 0, 0, 0);
    throw e;
  }
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const labelSets = wr.timeseries.map((ts) => sortedLabels(ts.labels));
  for (const labels of labelSets) {
    const err = labelLimitError(labels, limits);
    if (err !== undefined) return written(textResponse(400, `request rejected, nothing was written: ${err}`), 0, 0, 0);
  }
  const floats = storage.appender();
  const hists = storage.appender();
  if (hists.appendHistogram === undefined && wr.timeseries.some((ts) => ts.histograms.length > 0)) {
    floats.rollback();
    hists.rollback();
    return written(textResponse(400, "request rejected, nothing was written: this storage does not keep native histograms"), 0, 0, 0);
  }
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  const problems = new WriteProblems();
  wr.timeseries.forEach((ts, i) => {
    const labels: Labels = labelSets[i]!;
    if (metricName(labels) === "") {
      problems.unnamedSeries(labels, ts.samples.length + ts.histograms.length);
      return;
    }
    for (const s of ts.samples) floats.append(labels, s.t, s.v);
    for (const x of ts.histograms) {
      const h = problems.histogram(labels, x, true);
      if (h === undefined) continue;
      hists.appendHistogram!(labels, x.t, h);
      histograms++;
    }
    samples += ts.samples.length;
    if (floats.appendExemplar !== undefined) {
      for (const e of ts.exemplars) floats.appendExemplar(labels, { labels: [...sortLabels(e.labels)], t: e.t, v: e.v });
      exemplars += ts.exemplars.length;
    }
  });
  // Separate commits so that refusals are counted against the right header.
  const fr: AppendResult = await floats.commit();
  const hr: AppendResult = histograms > 0 ? await hists.commit() : (hists.rollback(), { appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] });
  const messages = problems.messages(fr, hr);
  const res = messages.length > 0 ? textResponse(400, messages.join("\n")) : new Response(null, { status: 204 });
  return written(res, samples - fr.rejected, histograms - hr.rejected, exemplars);
}

function written(res: Response, samples: number, histograms: number, exemplars: number): Response {
  res.headers.set(SAMPLES_WRITTEN, String(samples));
  res.headers.set(HISTOGRAMS_WRITTEN, String(histograms));
  res.headers.set(EXEMPLARS_WRITTEN, String(exemplars));
  return res;
}
