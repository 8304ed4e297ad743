/** The UI's only DOM helper: `h("button", { class: "x", onclick: f }, "text")`.
 * Attributes are set as attributes except the few that only work as properties. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Handler = (ev: never) => void;
export type Props = Record<string, string | number | boolean | null | undefined | Handler>;

const PROPERTIES = new Set(["value", "checked", "indeterminate"]);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (typeof v === "function") {
        el.addEventListener(k.slice(2), v as EventListener);
      } else if (PROPERTIES.has(k)) {
        (el as unknown as Record<string, unknown>)[k] = v;
      } else {
        el.setAttribute(k, v === true ? "" : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === "object" ? (c as Node) : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let ids = 0;
/** A document-unique id, for label/aria wiring. */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/** A link target from configuration or an API (a scrape URL, a `__ui_url__` label):
 * only http(s), so that no configured `javascript:` URL can run in the UI. */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url, location.href);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}
