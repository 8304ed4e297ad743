// One notifier of a receiver (a webhook_configs entry, a slack_configs entry, ...):
// what the dispatcher needs to know about it and the context every notifier gets.
import type { HTTPClientConfig } from "../config/types.js";
import type { AmAlert } from "./alert.js";
import { templateDataValue, type AmTemplates, type TemplateData } from "./am_template.js";
import { templateData } from "./template_data.js";

export interface NotifyContext {
  /** The aggregation group's key, as Alertmanager prints it (`{}/{a="b"}:{job="x"}`). */
  groupKey: string;
  receiver: string;
  groupLabels: Record<string, string>;
  externalURL: string;
  templates: AmTemplates;
  fetch: (req: Request) => Promise<Response>;
  now: number;
}

export interface Integration {
  /** "webhook", "slack", ... as the notification log and metrics name them. */
  readonly name: string;
  readonly index: number;
  readonly sendResolved: boolean;
  /** Sends one notification; throws NotifyError when the receiver did not take it. */
  notify(ctx: NotifyContext, alerts: AmAlert[]): Promise<void>;
}

export class NotifyError extends Error {
  constructor(
    message: string,
    /** Worth retrying at the next flush (5xx, network) rather than a config problem. */
    readonly retry: boolean,
  ) {
    super(message);
  }
}

export const USER_AGENT = "Alertmanager/0.25.0";

/** Headers an http_config asks for (basic auth, authorization); *_file settings have no
 * files to read in a Worker and are skipped. */
export function authHeaders(h: HTTPClientConfig | undefined): Record<string, string> {
  if (h === undefined) return {};
  if (h.basicAuth !== undefined) return { authorization: `Basic ${btoa(`${h.basicAuth.username}:${h.basicAuth.password ?? ""}`)}` };
  if (h.authorization?.credentials !== undefined) return { authorization: `${h.authorization.type} ${h.authorization.credentials}` };
  return {};
}

/** POSTs JSON and maps the answer to Alertmanager's retry rule: 2xx is done, 5xx and
 * network errors retry, anything else is a permanent failure. */
export async function postJSON(ctx: NotifyContext, url: string, body: unknown, headers: Record<string, string>, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await ctx.fetch(
      new Request(url, { method: "POST", headers: { "content-type": "application/json", "user-agent": USER_AGENT, ...headers }, body: JSON.stringify(body) }),
    );
  } catch (e) {
    throw new NotifyError(`${what}: ${(e as Error).message}`, true);
  }
  if (res.status < 200 || res.status >= 300) {
    const text = await res.text().catch(() => "");
    throw new NotifyError(`${what}: unexpected status code ${res.status}${text === "" ? "" : `: ${text.slice(0, 200)}`}`, res.status >= 500 || res.status === 429);
  }
  await res.body?.cancel();
  return res;
}

/** Cuts to n runes with "…", as Alertmanager's notify.Truncate does. */
export function truncate(s: string, n: number): string {
  const runes = [...s];
  if (runes.length <= n) return s;
  return n > 3 ? runes.slice(0, n - 1).join("") + "…" : runes.slice(0, n).join("");
}

/** hex(sha256(groupKey)): the dedup key PagerDuty and the alias Opsgenie get. */
export async function groupKeyHash(key: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A group's template data, and its receiver fields rendered with it (a field left
 * unset renders its default template). */
export function groupTemplates(ctx: NotifyContext, alerts: AmAlert[]): { td: TemplateData; render: (field: string | undefined, def?: string) => Promise<string> } {
  const td = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
  const data = templateDataValue(td);
  return { td, render: (field, def = "") => ctx.templates.text(field ?? def, data) };
}
