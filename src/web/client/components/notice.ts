import { h, type Child } from "../dom.js";
import type { ApiError } from "../api.js";

export type NoticeKind = "error" | "warning" | "info";

/** A boxed message; errors are announced to screen readers as they appear. */
export function notice(kind: NoticeKind, title: string, ...body: Child[]): HTMLElement {
  return h(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("strong", { class: "notice-title" }, title),
    body.length > 0 ? h("div", { class: "notice-body" }, ...body) : null,
  );
}

/** What a page shows for an API call that failed: "not available" for an endpoint
 * this tier does not serve (yet), the server's error otherwise. */
export function apiFailure(what: string, path: string, err: unknown): HTMLElement {
  const e = err as ApiError;
  if (e.notAvailable === true) {
    return notice("info", `${what} not available`, `This tier does not serve ${path} (HTTP 404), so there is nothing to show here yet.`);
  }
  return notice("error", `Error loading ${what.toLowerCase()}`, `${path}: ${e.message ?? String(err)}`);
}
