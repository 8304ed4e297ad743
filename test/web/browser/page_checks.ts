/** Checks that run inside the browser page during the UI's end-to-end test
 * (test/e2e/ui.test.ts injects this file as `edgepromChecks`). Typed against the DOM,
 * so it lives outside the Workers-typed project. */

import type { Focused, PageChecks } from "./page_checks_api.js";

/** What has keyboard focus. */
export function focused(): Focused | null {
  const e = document.activeElement;
  if (e === null || e === document.body) return null;
  return { tag: e.tagName, text: (e.textContent ?? "").trim(), role: e.getAttribute("role"), classes: [...e.classList] };
}

/** Milliseconds since navigation once a graph (canvas and legend) is on the page. */
export function firstGraphTime(legendItems = 1): number | null {
  const drawn = document.querySelectorAll(".legend-item").length >= legendItems && document.querySelector(".chart canvas") !== null;
  return drawn ? performance.now() : null;
}

/** The page has loaded what it shows: no region is busy and the boot text is gone. */
export function settled(): boolean {
  return document.querySelectorAll('[aria-busy="true"]').length === 0 && document.querySelector(".boot") === null;
}

/** The viewport x of the caret position before character `offset` of the editor's first line. */
export function caretLeft(offset: number): number {
  const line = document.querySelector(".cm-line");
  if (line === null) return -1;
  const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
  let left = offset;
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    const len = node.textContent?.length ?? 0;
    if (left <= len) {
      const range = document.createRange();
      range.setStart(node, left);
      range.setEnd(node, left);
      return range.getBoundingClientRect().left;
    }
    left -= len;
  }
  return -1;
}

/** Visible form controls and buttons without an accessible name. */
export function unlabelledControls(): string[] {
  return [...document.querySelectorAll<HTMLElement>("input, select, textarea, [contenteditable=true], button")]
    .filter((e) => e.getClientRects().length > 0)
    .filter((e) => {
      const labels = (e as HTMLInputElement).labels;
      const named = (labels !== undefined && labels !== null && labels.length > 0) || e.hasAttribute("aria-label") || e.hasAttribute("aria-labelledby");
      return !named && (e.tagName !== "BUTTON" || (e.textContent ?? "").trim() === "");
    })
    .map((e) => e.outerHTML.slice(0, 120));
}

type RGBA = [number, number, number, number];

function parseColor(c: string): RGBA {
  const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
  return [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m[3] ?? 1];
}

/** `top` composited over `bottom`. */
function over(top: RGBA, bottom: RGBA): RGBA {
  const a = top[3] + bottom[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  const ch = (i: 0 | 1 | 2) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
  return [ch(0), ch(1), ch(2), a];
}

/** WCAG relative luminance. */
function luminance([r, g, b]: RGBA): number {
  const f = (c: number) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

function background(el: Element): RGBA {
  const chain: RGBA[] = [];
  for (let e: Element | null = el; e !== null; e = e.parentElement) chain.push(parseColor(getComputedStyle(e).backgroundColor));
  const canvas = parseColor(getComputedStyle(document.documentElement).backgroundColor);
  let bg: RGBA = canvas[3] === 0 ? [255, 255, 255, 1] : canvas;
  for (const c of chain.reverse()) bg = over(c, bg);
  return bg;
}

/** Visible text whose contrast with its (composited) background is below WCAG AA:
 * 4.5:1, or 3:1 for large text. Disabled controls are exempt, as WCAG exempts them. */
export function lowContrastText(): string[] {
  const out: string[] = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const el = n.parentElement;
    const text = (n.textContent ?? "").trim();
    if (el === null || text === "" || el.closest("[disabled], .visually-hidden, noscript, [hidden]") !== null) continue;
    if (el.getClientRects().length === 0) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || Number(cs.opacity) < 0.5) continue;
    const bg = background(el);
    const fg = over(parseColor(cs.color), bg);
    const a = luminance(fg);
    const b = luminance(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(`${ratio.toFixed(2)}: "${text.slice(0, 40)}" (${cs.color} on rgb(${bg.slice(0, 3).map(Math.round).join(",")}))`);
  }
  return out;
}

/** The colour [r, g, b, a] a canvas shows at viewport point (x, y): what a chart drew
 * there, read back from the canvas itself. */
export function canvasPixel(selector: string, x: number, y: number): number[] | null {
  const canvas = document.querySelector<HTMLCanvasElement>(selector);
  const ctx = canvas?.getContext("2d");
  if (canvas === null || canvas === undefined || ctx === null || ctx === undefined) return null;
  const r = canvas.getBoundingClientRect();
  const px = Math.floor(((x - r.left) * canvas.width) / r.width);
  const py = Math.floor(((y - r.top) * canvas.height) / r.height);
  return [...ctx.getImageData(px, py, 1, 1).data];
}

// The test calls these by name; this keeps them in step with page_checks_api.ts.
export const api: PageChecks = { focused, firstGraphTime, settled, caretLeft, unlabelledControls, lowContrastText, canvasPixel };
