import { readBodyLimited, textResponse } from "../encoding/body.js";
import { ProtoWriter, WIRE_LEN, WIRE_VARINT } from "../encoding/protobuf.js";
import { DEFAULT_LIMITS, labelLimitError, type InputLimits } from "../model/limits.js";
import { describeRejection } from "../storage/rejection.js";
import type { Appender, Storage } from "../storage/storage.js";
import { decodeMetricsRequestJson } from "./otlp_json.js";
import { decodeMetricsRequest, OtlpDecodeError, type MetricsRequest } from "./otlp_request.js";
import { translateMetrics, type Translation } from "./translate.js";

export interface OtlpOptions {
  /** Largest accepted body, after gzip decoding. */
  maxBodyBytes: number;
  limits?: InputLimits;
  lookbackDeltaMs: number;
  promoteScopeMetadata?: boolean;
}

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

/**
 * POST /api/v1/otlp/v1/metrics: OTLP/HTTP metrics, protobuf or JSON, plain or gzip,
 * with Prometheus' answers: 415 for other media types and encodings, 400 with a
 * message for bodies that do not decode or that storage refuses, 200 otherwise. Points
 * the translation drops (delta temporality, invalid names) are written nowhere and
 * counted in the OTLP partial-success field of the answer. A request is checked whole
 * before anything is written: a refused one leaves storage as it was.
 */
export async function otlpMetricsHandler(req: Request, storage: Storage, opts: OtlpOptions): Promise<Response> {
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding !== "" && encoding !== "gzip") {
    return textResponse(415, `unsupported compression: ${encoding}. Only "gzip" or no compression supported`);
  }
  const contentType = req.headers.get("content-type") ?? "";
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  if (media !== PROTOBUF && media !== JSON_TYPE) {
    return textResponse(415, `unsupported content type: ${contentType}, supported: [${JSON_TYPE}, ${PROTOBUF}]`);
  }
  let body: Uint8Array | null;
  try {
    body = await readBodyLimited(req, opts.maxBodyBytes, { gunzip: true });
  } catch (e) {
    return textResponse(400, `cannot read gzip body: ${(e as Error).message}`);
  }
  if (body === null) return textResponse(413, `request body too large: limit is ${opts.maxBodyBytes} bytes`);
  let request: MetricsRequest;
  try {
    request = media === PROTOBUF ? decodeMetricsRequest(body) : decodeMetricsRequestJson(utf8(body));
  } catch (e) {
    if (e instanceof OtlpDecodeError) return textResponse(400, `cannot decode OTLP metrics request: ${e.message}`);
    throw e;
  }
  const tr = translateMetrics(request, { lookbackDeltaMs: opts.lookbackDeltaMs, promoteScopeMetadata: opts.promoteScopeMetadata });
  const app = storage.appender();
  const refused = refusal(tr, app, opts.limits ?? DEFAULT_LIMITS);
  if (refused !== undefined) {
    app.rollback();
    return textResponse(400, `request rejected, nothing was written: ${refused}`);
  }
  for (const f of tr.floats) app.append(f.labels, f.t, f.v);
  if (app.appendHistogram !== undefined) for (const h of tr.histograms) app.appendHistogram(h.labels, h.t, h.h);
  if (app.appendExemplar !== undefined) for (const x of tr.exemplars) app.appendExemplar(x.labels, x.e);
  const res = await app.commit();
  if (res.rejected > 0) return textResponse(400, `${res.rejected} samples rejected: ${res.rejections.map(describeRejection).join("; ")}`);
  return exportResponse(media, tr);
}

function refusal(tr: Translation, app: Appender, limits: InputLimits): string | undefined {
  for (const s of [...tr.floats, ...tr.histograms]) {
    const err = labelLimitError(s.labels, limits);
    if (err !== undefined) return err;
  }
  if (tr.histograms.length > 0 && app.appendHistogram === undefined) return "this storage does not keep native histograms";
  return undefined;
}

function utf8(b: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    throw new OtlpDecodeError("body is not valid UTF-8");
  }
}

/** ExportMetricsServiceResponse, in the request's encoding; partial_success (1) with
 * rejected_data_points (1) and error_message (2) when points were dropped. */
function exportResponse(media: string, tr: Translation): Response {
  const message = tr.errors.join("; ");
  if (media === JSON_TYPE) {
    const body = tr.rejectedPoints > 0 || message !== "" ? { partialSuccess: { rejectedDataPoints: String(tr.rejectedPoints), errorMessage: message } } : {};
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": JSON_TYPE } });
  }
  const w = new ProtoWriter();
  if (tr.rejectedPoints > 0 || message !== "") {
    const inner = new ProtoWriter();
    if (tr.rejectedPoints > 0) {
      inner.tag(1, WIRE_VARINT);
      inner.uint64(tr.rejectedPoints);
    }
    if (message !== "") {
      inner.tag(2, WIRE_LEN);
      inner.string(message);
    }
    const bytes = inner.finish();
    w.tag(1, WIRE_LEN);
    w.uint32(bytes.length);
    w.raw(bytes);
  }
  return new Response(w.finish(), { status: 200, headers: { "content-type": PROTOBUF } });
}
