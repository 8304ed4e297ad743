import { goJson, goJsonString } from "./go_json.js";

/** Prometheus' HTTP API envelope. Error types and status codes follow
 * web/api/v1: bad_data 400, execution 422, timeout 503, internal 500, not_found 404,
 * unavailable 503. */
export type ErrorType = "bad_data" | "execution" | "timeout" | "canceled" | "internal" | "not_found" | "unavailable";

const STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 503,
  internal: 500,
  not_found: 404,
  unavailable: 503,
};

export class ApiError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** Answers shorter than this (in UTF-8 bytes) say their length, and so are sent as
 * they are (compression.ts gzips only what is at least this long). Prometheus gzips
 * every answer; for a few hundred bytes on a local or edge connection the gzip stream
 * costs more time (about 0.5 ms a request under workerd) than the bytes it saves. */
export const SHORT_ANSWER_BYTES = 1024;

const encoder = new TextEncoder();

function json(body: string, status = 200): Response {
  // UTF-8 takes at least one byte per UTF-16 unit: a longer string is no short answer,
  // and large answers are not encoded twice just to be measured.
  if (body.length >= SHORT_ANSWER_BYTES) return new Response(body, { status, headers: { "content-type": "application/json" } });
  const length = encoder.encode(body).length;
  return new Response(body, { status, headers: { "content-type": "application/json", "content-length": String(length) } });
}

export function success(data: unknown, warnings: string[] = [], infos: string[] = []): Response {
  // Written around the data rather than through goJson, which would copy a large
  // RawJson answer once more.
  let body = '{"status":"success","data":' + goJson(data);
  if (warnings.length > 0) body += ',"warnings":' + goJson(warnings);
  if (infos.length > 0) body += ',"infos":' + goJson(infos);
  return json(body + "}");
}

export function failure(type: ErrorType, message: string): Response {
  return json(`{"status":"error","errorType":${goJsonString(type)},"error":${goJsonString(message)}}`, STATUS[type]);
}
