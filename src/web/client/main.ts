import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { pageForPath, pagesFor, type PageId, type PageInfo } from "../pages.js";
import { checkClock } from "./components/clock_banner.js";
import { h, replace } from "./dom.js";
import type { PageModule, PageView } from "./page.js";

/** Each page is its own chunk: the targets page never downloads the editor or uPlot. */
const LOADERS: Record<PageId, () => Promise<PageModule>> = {
  query: () => import("./pages/query_page.js"),
  alerts: () => import("./pages/alerts_page.js"),
  alertmanager: () => import("./pages/alertmanager_page.js"),
  rules: () => import("./pages/rules_page.js"),
  targets: () => import("./pages/targets_page.js"),
  federation: () => import("./pages/federation_page.js"),
  push: () => import("./pages/push_page.js"),
  status: () => import("./pages/status_page.js"),
};

const tier = document.querySelector<HTMLMetaElement>('meta[name="edgeprom-tier"]')?.content ?? "";
const app = document.getElementById("app")!;
const banner = h("div", { class: "banners" });
const main = h("main", { id: "content", tabindex: "-1" });
const navLinks = new Map<string, HTMLAnchorElement>();

let current: { page: PageInfo; view: PageView; abort: AbortController } | null = null;

function layout(): void {
  const links = pagesFor(tier).map((p) => {
    const a = h("a", { href: p.path, "data-nav": "" }, p.title);
    navLinks.set(p.path, a);
    return h("li", null, a);
  });
  replace(
    app,
    h("a", { class: "skip-link", href: "#content" }, "Skip to content"),
    h(
      "header",
      { class: "topbar" },
      h("a", { class: "brand", href: "/query", "data-nav": "" }, "edgeprom", h("span", { class: "tier" }, tier)),
      h("nav", { "aria-label": "Main" }, h("ul", null, links)),
    ),
    banner,
    main,
  );
}

async function route(): Promise<void> {
  const page = pageForPath(location.pathname);
  if (current !== null && current.page === page) {
    current.view.locationChanged?.();
    return;
  }
  current?.abort.abort();
  current?.view.dispose?.();
  current = null;
  for (const [path, a] of navLinks) {
    if (path === page?.path) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (page === undefined) {
    replace(main, h("h1", null, "Not found"), h("p", null, `There is no page at ${location.pathname}.`));
    return;
  }
  document.title = `${page.title} · edgeprom ${tier}`;
  const abort = new AbortController();
  const mod = await LOADERS[page.id]();
  if (abort.signal.aborted || pageForPath(location.pathname) !== page) return;
  replace(main);
  current = { page, abort, view: mod.render({ root: main, tier, signal: abort.signal, navigate }) };
}

/** Client-side navigation: the bundle stays loaded, only the page's chunk is fetched. */
function navigate(href: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(href, location.href);
  if (url.origin !== location.origin) {
    location.href = url.href;
    return;
  }
  const samePage = pageForPath(url.pathname) === current?.page;
  if (opts.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  void route().then(() => {
    // A new page moves focus to its content, so keyboard and screen-reader users start there.
    if (!samePage) main.querySelector<HTMLElement>("h1")?.focus({ preventScroll: false });
  });
}

document.addEventListener("click", (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = (ev.target as Element).closest<HTMLAnchorElement>("a[data-nav]");
  if (a === null) return;
  ev.preventDefault();
  navigate(a.href);
});
window.addEventListener("popstate", () => void route());

layout();
void route();
void checkClock(banner);
