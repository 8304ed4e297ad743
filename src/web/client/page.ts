import { h, type Child } from "./dom.js";

/** What the router gives a page. */
export interface PageContext {
  root: HTMLElement;
  tier: string;
  /** Aborted when the user leaves the page: in-flight requests stop. */
  signal: AbortSignal;
  navigate(href: string, opts?: { replace?: boolean }): void;
}

export interface PageView {
  /** The URL changed (back/forward) while this page stays shown. */
  locationChanged?(): void;
  dispose?(): void;
}

export interface PageModule {
  render(ctx: PageContext): PageView;
}

/** A page's heading; focusable so that navigation can move focus to it. */
export function pageHeading(title: string, ...extra: Child[]): HTMLElement {
  return h("div", { class: "page-heading" }, h("h1", { tabindex: "-1" }, title), ...extra);
}
