import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { transformSync } from "esbuild";
import type { Page } from "playwright-core";
import type { PageChecks } from "../../web/browser/page_checks_api.js";

/** test/web/browser/page_checks.ts, to inject into every page as `edgepromChecks`
 * (page.addInitScript({ content: PAGE_CHECKS })). */
export const PAGE_CHECKS = transformSync(readFileSync(resolve(import.meta.dirname, "../../web/browser/page_checks.ts"), "utf8"), {
  loader: "ts",
  format: "iife",
  globalName: "edgepromChecks",
}).code.concat("\nglobalThis.edgepromChecks = edgepromChecks;\n");

/** Calls one of the in-page checks. */
export function check<K extends keyof PageChecks>(page: Page, name: K, ...args: Parameters<PageChecks[K]>): Promise<ReturnType<PageChecks[K]>> {
  return page.evaluate(`edgepromChecks.${name}(...${JSON.stringify(args)})`) as Promise<ReturnType<PageChecks[K]>>;
}

/** Polls a check until it gives a truthy value. page.waitForFunction would evaluate a
 * string inside the page, which the UI's Content-Security-Policy (no eval) forbids. */
export async function waitForCheck<K extends keyof PageChecks>(page: Page, name: K, ...args: Parameters<PageChecks[K]>): Promise<NonNullable<ReturnType<PageChecks[K]>>> {
  for (;;) {
    const v = await check(page, name, ...args);
    if (v) return v as NonNullable<ReturnType<PageChecks[K]>>;
    await page.waitForTimeout(16);
  }
}
