import { USER_AGENT } from "../model/version.js";

/** edgeprom's User-Agent towards Alertmanager, in the form Prometheus uses
 * ("Prometheus/<version>"). */
export const NOTIFIER_USER_AGENT = USER_AGENT;

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Posts one JSON payload of alerts to one Alertmanager, as Prometheus' sendOne does:
 * any 2xx status is success; anything else, a transport error or the timeout
 * (which covers the whole exchange) is thrown with Go's wording.
 */
export async function postAlerts(
  fetchFn: FetchFn,
  url: string,
  body: string,
  opts: { timeoutMs: number; headers?: Record<string, string>; followRedirects?: boolean },
): Promise<void> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: "POST",
      body,
      // Credentials first: they may not replace the content type or user agent.
      headers: { ...opts.headers, "content-type": "application/json", "user-agent": NOTIFIER_USER_AGENT },
      signal,
      // fetch follows redirects as Go's client does (307/308 repeat the POST, 301-303
      // turn it into a GET) and drops credentials on a redirect to another origin.
      redirect: opts.followRedirects === false ? "manual" : "follow",
    });
  } catch (e) {
    throw new Error(`Post ${JSON.stringify(url)}: ${describe(e)}`);
  }
  // The body is not needed; releasing it frees the connection.
  await res.body?.cancel().catch(() => {});
  if (res.status < 200 || res.status > 299) {
    throw new Error(`bad response status ${res.status}${res.statusText ? " " + res.statusText : statusTextFor(res.status)}`);
  }
}

function describe(e: unknown): string {
  const err = e as Error | undefined;
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return "context deadline exceeded";
  const cause = (err as { cause?: { message?: string } } | undefined)?.cause?.message;
  return cause !== undefined ? `${err?.message ?? String(e)}: ${cause}` : (err?.message ?? String(e));
}

/** Go's resp.Status is "<code> <text>"; fetch leaves statusText empty over HTTP/2 and
 * in Workers, so the common texts are filled in. */
function statusTextFor(code: number): string {
  const text = STATUS_TEXT[code];
  return text === undefined ? "" : " " + text;
}

const STATUS_TEXT: Record<number, string> = {
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};
