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

/** The answer as it leaves the Worker: uncompressed, whatever the client accepts.
 * Prometheus gzips its API answers itself; a Worker has the platform in front of it
 * to do that (see app.ts), and the runtime gives a fixed body its Content-Length. */
function json(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "application/json" } });
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
