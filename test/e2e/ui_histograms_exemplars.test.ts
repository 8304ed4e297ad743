import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureUiBundle } from "../../scripts/build_ui.js";
import { heatColor, type ApiHistogram } from "../../src/web/client/query/histogram_data.js";
import { memoryApi, type FixtureExemplar } from "../web/support/memory_api.js";
import { check, PAGE_CHECKS } from "./support/page_checks.js";
import { requireBinary } from "./support/processes.js";

/** 30 minutes from the epoch: a native histogram whose buckets (0.5,1], (1,2], (2,4]
 * hold 1, 2 and 1, and two counters with exemplars. The SeriesStore does not store
 * native histograms yet, so the UI is served here by the real UI routes and query
 * API over memory storage loaded as promqltest loads its data. */
const LOADS = [
  "load 1m",
  '  lat_seconds{job="api"} {{schema:0 sum:5 count:4 buckets:[1 2 1]}}x30',
  '  req_total{job="api", path="/a"} 0+60x30',
  '  req_total{job="api", path="/b"} 0+30x30',
].join("\n");
const EXEMPLARS: FixtureExemplar[] = [
  { series: { __name__: "req_total", job: "api", path: "/a" }, labels: { trace_id: "trace-a" }, t: 10 * 60_000, v: 1 },
  { series: { __name__: "req_total", job: "api", path: "/b" }, labels: { trace_id: "trace-b", span_id: "s1" }, t: 20 * 60_000, v: 0.75 },
];
const SHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");
const VIEW = "g0.range_input=30m&g0.end_input=1970-01-01%2000%3A30%3A00&g0.res_type=fixed&g0.res_step=60";

describe("native histograms and exemplars in the UI, in a browser", () => {
  let server: Server;
  let browser: Browser;
  let base = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireBinary("/usr/bin/chromium", "chromium");
    await mkdir(SHOTS, { recursive: true });
    await ensureUiBundle();
    // After the build: the routes import the generated bundle.
    const { uiRoutes } = await import("../../src/web/routes.js");
    const app = new Hono();
    app.route("/", await memoryApi(LOADS, EXEMPLARS));
    app.route("/", uiRoutes({ tier: "global" }));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
        const headers = Object.entries(req.headers).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]]));
        const r = await app.fetch(new Request(`${base}${req.url}`, { method: req.method, headers, body }));
        res.writeHead(r.status, Object.fromEntries(r.headers));
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless=new"] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript({ content: PAGE_CHECKS });
    page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
    });
    await page.goto(`${base}${path}`);
    return page;
  }

  it("graphs a native histogram as a heatmap of its buckets and tables its count, sum and buckets", async () => {
    const api = (await (await fetch(`${base}/api/v1/query_range?query=lat_seconds&start=0&end=1800&step=60`)).json()) as { data: { result: { histograms: [number, ApiHistogram][] }[] } };
    const cells = api.data.result[0]!.histograms.reduce((n, [, h]) => n + (h.buckets?.length ?? 0), 0);
    expect(cells).toBe(31 * 3);
    const page = await open(`/query?g0.expr=lat_seconds&g0.tab=graph&${VIEW}`);
    await page.locator(".heatmap .chart canvas").waitFor();
    expect(await page.locator(".heatmap .chart canvas").getAttribute("data-cells")).toBe(String(cells));
    expect(await page.locator(".heatmap .legend-item").allTextContents()).toEqual(['lat_seconds{job="api"}']);
    // The y axis has one step per boundary (0.5, 1, 2, 4): (1,2] fills the middle
    // band in the deepest colour (2 is the largest count), (0.5,1] the lowest in the middle one.
    const box = (await page.locator(".heatmap .u-over").boundingBox())!;
    const rgb = (css: string) => css.match(/\d+/g)!.map(Number);
    const at = (fx: number, fy: number) => check(page, "canvasPixel", ".heatmap .chart canvas", box.x + box.width * fx, box.y + box.height * fy);
    expect((await at(0.5, 0.5))!.slice(0, 3)).toEqual(rgb(heatColor(1)));
    expect((await at(0.5, 5 / 6))!.slice(0, 3)).toEqual(rgb(heatColor(0.5)));
    expect((await at(0.5, 1 / 6))!.slice(0, 3)).toEqual(rgb(heatColor(0.5)));
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect.poll(() => page.locator(".graph-tooltip .tt-series").textContent()).toBe("Bucket (1, 2]");
    expect(await page.locator(".graph-tooltip .tt-value").textContent()).toBe("2");
    expect(await page.locator(".graph-tooltip .tt-time").textContent()).toBe("1970-01-01 00:15:00 UTC");
    await page.screenshot({ path: join(SHOTS, "query-heatmap.png"), fullPage: true });
    expect(await check(page, "lowContrastText")).toEqual([]);
    expect(await check(page, "unlabelledControls")).toEqual([]);

    await page.getByRole("tab", { name: "Table" }).click();
    await page.locator(".histogram").waitFor();
    expect(await page.locator(".histogram > div").first().textContent()).toBe("Count: 4 · Sum: 5");
    const rows = await page.locator(".histogram .buckets tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    expect(rows).toEqual([
      ["(0.5, 1]", "1"],
      ["(1, 2]", "2"],
      ["(2, 4]", "1"],
    ]);
    await page.screenshot({ path: join(SHOTS, "query-histogram-table.png"), fullPage: true });
    expect(await check(page, "lowContrastText")).toEqual([]);
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it("shows exemplars on the graph when asked, with their labels, value and time on hover", async () => {
    const page = await open(`/query?g0.expr=${encodeURIComponent("rate(req_total[2m])")}&g0.tab=graph&${VIEW}&g0.show_exemplars=0`);
    await page.locator(".legend-item").nth(1).waitFor();
    const box = (await page.locator(".chart .u-over").boundingBox())!;
    /** Moves down the column of minute `m` until the tooltip shows an exemplar. */
    const hoverExemplar = async (m: number): Promise<boolean> => {
      const x = box.x + (box.width * m) / 30;
      for (let y = box.y + 1; y < box.y + box.height; y += 3) {
        await page.mouse.move(x, y);
        if ((await page.locator(".graph-tooltip .tt-title").count()) > 0 && (await page.locator(".graph-tooltip").isVisible())) return true;
      }
      return false;
    };
    expect(await hoverExemplar(10)).toBe(false);

    const asked = page.waitForRequest((r) => r.url().endsWith("/api/v1/query_exemplars"));
    await page.getByLabel("Show exemplars").check();
    const req = await asked;
    expect(new URLSearchParams(req.postData() ?? "").get("query")).toBe("rate(req_total[2m])");
    await expect.poll(() => new URL(page.url()).searchParams.get("g0.show_exemplars")).toBe("1");
    await page.locator(".chart canvas").waitFor();
    expect(await hoverExemplar(10)).toBe(true);
    const tt = page.locator(".graph-tooltip");
    expect(await tt.locator(".tt-time").textContent()).toBe("1970-01-01 00:10:00 UTC");
    expect(await tt.locator(".tt-labels").evaluate((dl) => [...dl.children].map((c) => c.textContent))).toEqual(["trace_id", "trace-a"]);
    expect(await tt.locator(".tt-value").textContent()).toBe("1");
    expect(await tt.locator(".tt-series").textContent()).toBe('req_total{job="api", path="/a"}');
    expect(await hoverExemplar(20)).toBe(true);
    expect(await tt.locator(".tt-labels").evaluate((dl) => [...dl.children].map((c) => c.textContent))).toEqual(["span_id", "s1", "trace_id", "trace-b"]);
    expect(await tt.locator(".tt-value").textContent()).toBe("0.75");
    await page.screenshot({ path: join(SHOTS, "query-exemplars.png"), fullPage: true });
    expect(await check(page, "lowContrastText")).toEqual([]);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
