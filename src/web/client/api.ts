/** Calls to the tier's own HTTP API (same origin) in Prometheus' JSON envelope:
 * `{status, data, warnings?, infos?}` or `{status: "error", errorType, error}`. */

export interface ApiResult<T> {
  data: T;
  warnings: string[];
  infos: string[];
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorType: string,
  ) {
    super(message);
  }

  /** The endpoint does not exist on this tier (yet): pages show "not available". */
  get notAvailable(): boolean {
    return this.status === 404 && this.errorType !== "not_found";
  }
}

export type Params = Record<string, string | readonly string[] | undefined>;

export interface CallOptions {
  method?: "GET" | "POST" | "DELETE";
  signal?: AbortSignal;
}

export function searchParams(params: Params = {}): URLSearchParams {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (typeof v === "string") sp.append(k, v);
    else for (const x of v) sp.append(k, x);
  }
  return sp;
}

/** GET (or POST as a form, for long expressions) an API path, e.g. `/api/v1/query`. */
export async function api<T>(path: string, params: Params = {}, opts: CallOptions = {}): Promise<ApiResult<T>> {
  const method = opts.method ?? "GET";
  const sp = searchParams(params);
  const qs = sp.toString();
  const init: RequestInit = { method, signal: opts.signal ?? null, headers: { accept: "application/json" } };
  let url = path;
  if (method === "POST") {
    init.body = sp;
  } else if (qs !== "") {
    url += `?${qs}`;
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(`cannot reach the server: ${(e as Error).message}`, 0, "network");
  }
  return decode<T>(res);
}

export async function decode<T>(res: Response): Promise<ApiResult<T>> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    // Not the API's envelope: a plain-text 404 or a proxy's error page.
    throw new ApiError(`${res.status} ${res.statusText || "error"}: ${text.trim().slice(0, 300)}`, res.status, res.status === 404 ? "missing" : "http");
  }
  const env = body as { status?: string; data?: T; error?: string; errorType?: string; warnings?: string[]; infos?: string[] };
  if (!res.ok || env.status === "error") {
    throw new ApiError(env.error ?? `${res.status} ${res.statusText}`, res.status, env.errorType ?? (res.status === 404 ? "missing" : "http"));
  }
  return { data: env.data as T, warnings: env.warnings ?? [], infos: env.infos ?? [] };
}
