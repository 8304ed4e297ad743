import { readBodyLimited, textResponse } from "../encoding/body.js";
import { metricName, sortLabels } from "../model/labels.js";
import { DEFAULT_LIMITS, labelLimitError, type InputLimits } from "../model/limits.js";
import type { Storage } from "../storage/storage.js";
import { V2_MESSAGE, writeMessage } from "./write_headers.js";
import { remoteWriteV2 } from "./write_handler_v2.js";
import { WriteProblems } from "./write_problems.js";
import { decodeRemoteWriteBody, isRemoteDecodeError, sortedLabels } from "./write_request.js";

export interface RemoteWriteOptions {
  /** Largest accepted compressed body; the decoded size is bounded at 4x this. */
  maxBodyBytes: number;
  /** Label limits; a request with a series beyond them is rejected whole. */
  limits?: InputLimits;
}

/** POST /api/v1/write: Prometheus remote write 1.0 (2.0 bodies go to remoteWriteV2).
 * Every valid sample of the request is stored; rejected ones are named in a 400 so the
 * sender logs them instead of retrying (Prometheus treats 4xx as unrecoverable). */
export async function remoteWriteHandler(req: Request, storage: Storage, opts: RemoteWriteOptions): Promise<Response> {
  const media = writeMessage(req.headers);
  if ("unsupported" in media) return textResponse(415, media.unsupported);
  const body = await readBodyLimited(req, opts.maxBodyBytes);
  if (body === null) return textResponse(413, `request body too large: limit is ${opts.maxBodyBytes} bytes`);
  if (media.message === V2_MESSAGE) return remoteWriteV2(body, storage, { maxDecodedBytes: opts.maxBodyBytes * 4, limits: opts.limits });
  let wr;
  try {
    wr = decodeRemoteWriteBody(body, { maxDecodedBytes: opts.maxBodyBytes * 4 });
  } catch (e) {
    if (isRemoteDecodeError(e)) return textResponse(400, `cannot decode remote write request: ${e.message}`);
    throw e;
  }
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const labelSets = wr.timeseries.map((ts) => sortedLabels(ts.labels));
  for (const labels of labelSets) {
    const err = labelLimitError(labels, limits);
    if (err !== undefined) return textResponse(400, `request rejected, nothing was written: ${err}`);
  }
  const app = storage.appender();
  const problems = new WriteProblems();
  wr.timeseries.forEach((ts, i) => {
    const labels = labelSets[i]!;
    if (ts.samples.length + ts.histograms.length > 0 && metricName(labels) === "") {
      problems.unnamedSeries(labels, ts.samples.length + ts.histograms.length);
      return;
    }
    for (const s of ts.samples) app.append(labels, s.t, s.v);
    for (const x of ts.histograms) {
      const h = problems.histogram(labels, x, app.appendHistogram !== undefined);
      if (h !== undefined) app.appendHistogram!(labels, x.t, h);
    }
    // Prometheus stores exemplars on a best-effort basis: refused ones are logged,
    // never a reason to fail the request.
    if (app.appendExemplar !== undefined && metricName(labels) !== "") {
      for (const e of ts.exemplars) app.appendExemplar(labels, { labels: [...sortLabels(e.labels)], t: e.t, v: e.v });
    }
  });
  const messages = problems.messages(await app.commit());
  if (messages.length > 0) return textResponse(400, messages.join("\n"));
  return new Response(null, { status: 204 });
}
