import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Federation } from "../../scripts/federation.js";
import { ParseError } from "../../src/promql/parser/errors.js";
import { parseExpr } from "../../src/promql/parser/parser.js";
import { errorSpan } from "../../src/web/client/query/parse_error.js";
import { check, PAGE_CHECKS as CHECKS, waitForCheck } from "./support/page_checks.js";
import { startTestFederation } from "./support/federation.js";
import { startPrometheus, startPushgateway, type Peer } from "./support/peers.js";
import { requireBinary, waitFor } from "./support/processes.js";

const SHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");

type Vector = { metric: Record<string, string>; value: [number, string] }[];

async function query(base: string, q: string): Promise<Vector> {
  const body = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: Vector } };
  return body.data.result;
}

async function targets(base: string): Promise<{ scrapePool: string; health: string; scrapeUrl: string }[]> {
  const body = (await (await fetch(`${base}/api/v1/targets`)).json()) as { data: { activeTargets: { scrapePool: string; health: string; scrapeUrl: string }[] } };
  return body.data.activeTargets;
}

/** The web UI in Debian's chromium against the local federation as `npm start` runs it. */
describe("the web UI in a browser", () => {
  let fed: Federation;
  let browser: Browser;
  let prom: Peer;
  let pgw: Peer;
  let region: string;
  let global: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireBinary("/usr/bin/chromium", "chromium");
    await mkdir(SHOTS, { recursive: true });
    const rulesDir = await mkdtemp(join(tmpdir(), "edgeprom-ui-rules-"));
    await writeFile(
      join(rulesDir, "rules.yml"),
      [
        "groups:",
        "  - name: ui-demo",
        "    interval: 1s",
        "    rules:",
        "      - record: job:up:sum",
        "        expr: sum by (job) (up)",
        "      - alert: AlwaysFiring",
        "        expr: vector(42)",
        "        labels: { severity: page }",
        "        annotations: { summary: 'the value is {{ $value }}' }",
        "      - alert: NeverFiring",
        "        expr: vector(1) == 2",
        "        for: 5m",
        "",
      ].join("\n"),
    );
    [fed, browser, prom, pgw] = await Promise.all([
      startTestFederation(),
      chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless=new"] }),
      startPrometheus(`global:\n  evaluation_interval: 1s\nrule_files: ["${join(rulesDir, "rules.yml")}"]\n`),
      startPushgateway(),
    ]);
    region = fed.urls["local-a"];
    global = fed.urls.global;
    // The seeded configuration: each region scrapes itself and its demo target.
    await waitFor(
      "local-a's own targets up",
      async () => {
        const ts = await targets(region);
        const up = (pool: string) => ts.some((t) => t.scrapePool === pool && t.health === "up");
        return up("edgeprom") && up("demo") ? true : undefined;
      },
      60_000,
      500,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([fed?.stop(), prom?.stop(), pgw?.stop()]);
  });

  async function open(ctx?: BrowserContext): Promise<Page> {
    const page = await (ctx ?? browser).newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript({ content: CHECKS });
    page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    // A Content-Security-Policy violation is only a console error; count it as one.
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
    });
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it("graphs a typed query with one legend entry per series the API returns, fast and small", async () => {
    const page = await open();
    const foreign: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(region) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    const assetBytes: Promise<number>[] = [];
    page.on("response", (r) => {
      if (new URL(r.url()).pathname.startsWith("/assets/")) {
        expect(r.headers()["content-encoding"]).toBe("gzip");
        assetBytes.push(r.request().sizes().then((s) => s.responseBodySize));
      }
    });
    await page.goto(`${region}/query`);
    // The editor has focus on a fresh page: type and run with Enter (Ctrl+Enter when
    // the completion list is open).
    await page.locator(".cm-content").click();
    await page.keyboard.type("up");
    await page.keyboard.press("Control+Enter");
    await page.getByRole("tab", { name: "Graph" }).click();
    await page.locator(".legend-item").first().waitFor();
    const api = await query(region, "up");
    await expect.poll(() => page.locator(".legend-item").count()).toBe(api.length);
    expect(await page.locator(".chart canvas").count()).toBe(1);
    const legend = (await page.locator(".legend-label").allTextContents()).sort();
    expect(legend).toEqual(api.map((s) => `up{instance=${JSON.stringify(s.metric["instance"])}, job=${JSON.stringify(s.metric["job"])}}`).sort());
    // The URL reproduces the view.
    const url = new URL(page.url());
    expect(url.searchParams.get("g0.expr")).toBe("up");
    expect(url.searchParams.get("g0.tab")).toBe("graph");
    expect(url.searchParams.get("g0.range_input")).toBe("1h");
    await shot(page, "query-graph");

    // Hovering a line shows its value: down the right edge until the cursor meets one.
    const box = (await page.locator(".chart .u-over").boundingBox())!;
    for (let dy = 2; dy < box.height && (await page.locator(".graph-tooltip").isHidden()); dy += 4) {
      await page.mouse.move(box.x + box.width - 2, box.y + dy);
    }
    expect(await page.locator(".graph-tooltip .tt-value").textContent()).toBe("1");
    expect(await page.locator(".graph-tooltip .tt-series").textContent()).toMatch(/^up\{/);

    // A click on a legend entry shows only that series; a second click shows all again.
    const items = page.locator(".legend-item");
    await items.first().click();
    expect(await page.locator('.legend-item[aria-pressed="true"]').count()).toBe(1);
    await items.first().click();
    expect(await page.locator('.legend-item[aria-pressed="true"]').count()).toBe(api.length);

    // Stacked: the same series, drawn again, and the URL says so.
    await page.getByLabel("Stacked").check();
    await expect.poll(() => new URL(page.url()).searchParams.get("g0.display_mode")).toBe("stacked");
    expect(await page.locator(".chart canvas").count()).toBe(1);
    expect(await page.locator(".legend-item").count()).toBe(api.length);

    // The table tab: one row per series.
    await page.getByRole("tab", { name: "Table" }).click();
    await expect.poll(() => page.locator(".data-table tbody tr").count()).toBe((await query(region, "up")).length);
    await shot(page, "query-table");

    // The history remembers the query; a second panel joins the URL and can go again.
    await page.getByText("History").click();
    await expect.poll(() => page.locator(".history-item").allTextContents()).toContain("up");
    await page.getByText("History").click();
    await page.getByRole("button", { name: "Add query" }).click();
    expect(await page.locator(".query-panel").count()).toBe(2);
    await page.keyboard.type("count(up)");
    await page.keyboard.press("Control+Enter");
    await page.locator(".query-panel").nth(1).locator(".data-table tbody tr").waitFor();
    expect(new URL(page.url()).searchParams.get("g1.expr")).toBe("count(up)");
    await page.getByRole("button", { name: "Remove query 2" }).click();
    expect(await page.locator(".query-panel").count()).toBe(1);
    expect(new URL(page.url()).searchParams.has("g1.expr")).toBe(false);
    await page.close();
    // Nothing but the tier itself: the UI works offline.
    expect(foreign).toEqual([]);

    // Cold load of a link to a graph: time to first graph and bytes transferred.
    const cold = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p2 = await open(cold);
    const transferred: Promise<number>[] = [];
    p2.on("response", (r) => {
      if (new URL(r.url()).pathname.startsWith("/assets/") || r.request().resourceType() === "document") transferred.push(r.request().sizes().then((s) => s.responseBodySize));
    });
    await p2.goto(`${region}/query?g0.expr=up&g0.tab=graph&g0.range_input=15m`);
    const ms = await waitForCheck(p2, "firstGraphTime");
    const bytes = (await Promise.all(transferred)).reduce((a, b) => a + b, 0);
    console.log(`UI: time to first graph ${ms.toFixed(0)} ms, ${(bytes / 1024).toFixed(1)} KiB transferred (gzip) for /query`);
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(400 * 1024);
    expect(ms).toBeLessThan(10_000);
    await cold.close();
    expect((await Promise.all(assetBytes)).every((b) => b > 0)).toBe(true);
  });

  it("completes metric names, label names and values from the tier's API, and lints", async () => {
    const page = await open();
    await page.goto(`${region}/query`);
    await page.locator(".cm-content").click();
    await page.keyboard.type("demo_http_requests_to");
    const options = page.locator(".cm-tooltip-autocomplete .cm-completionLabel");
    await expect.poll(() => options.allTextContents()).toContain("demo_http_requests_total");
    // CodeMirror ignores Enter on a list younger than its interaction delay (75 ms).
    await page.waitForTimeout(200);
    await page.keyboard.press("Enter");
    expect(await page.locator(".cm-content").textContent()).toBe("demo_http_requests_total");
    await page.keyboard.type("{co");
    await expect.poll(() => options.allTextContents()).toContain("code");
    await page.waitForTimeout(200);
    await page.keyboard.press("Enter");
    await page.keyboard.type('="');
    const codes = (await query(region, "count by (code) (demo_http_requests_total)")).map((s) => s.metric["code"]!);
    expect(codes.length).toBeGreaterThan(0);
    await expect.poll(async () => (await options.allTextContents()).map((t) => t.replace(/"/g, "")).sort()).toEqual([...codes].sort());
    await shot(page, "query-completion");
    await page.keyboard.press("Escape");
    // The linter knows PromQL's types: rate() needs a range vector.
    await page.keyboard.press("Control+a");
    await page.keyboard.type("rate(up)");
    await page.locator(".cm-lintRange-error").waitFor();
    await page.close();
  });

  it("shows a parse error where the server's parser stopped", async () => {
    // Typed as a person would; the editor closes brackets itself, so the mistake is
    // one it cannot fix: grouping labels without their parentheses.
    const expr = "sum(rate(up[5m])) by job";
    let expected: ParseError | undefined;
    try {
      parseExpr(expr);
    } catch (e) {
      expected = e as ParseError;
    }
    expect(expected).toBeInstanceOf(ParseError);
    const page = await open();
    await page.goto(`${region}/query`);
    await page.locator(".cm-content").click();
    await page.keyboard.type(expr);
    await page.keyboard.press("Control+Enter");
    const message = page.getByTestId("parse-error");
    await message.waitFor();
    expect(await message.textContent()).toBe(expected!.message);
    const span = errorSpan(expr, expected!.offset);
    const mark = page.getByTestId("parse-error-mark");
    expect(await mark.textContent()).toBe(expr.slice(span.from, span.to));
    // The mark sits over that text in the editor: its left edge is where the prefix ends.
    const prefixWidth = await check(page, "caretLeft", span.from);
    const markBox = (await mark.boundingBox())!;
    expect(Math.abs(markBox.x - prefixWidth)).toBeLessThan(2);
    await shot(page, "query-parse-error");
    await page.close();
  });

  it("lists the region's targets up, grouped by pool, and filters them", async () => {
    const page = await open();
    await page.goto(`${region}/targets`);
    for (const pool of ["edgeprom", "demo"]) {
      const row = page.locator(`details[data-pool="${pool}"] tbody tr`).first();
      await row.waitFor();
      expect(await row.getAttribute("data-health")).toBe("up");
      expect(await row.locator(".badge").first().textContent()).toBe("UP");
    }
    const api = await targets(region);
    expect(await page.locator("tbody tr").count()).toBe(api.length);
    await shot(page, "targets");
    // The Pushgateway is scraped through the tier's binding; its link is the tier's own public URL.
    const pushgateway = page.locator('details[data-pool="pushgateway"] td.endpoint a');
    expect(await pushgateway.getAttribute("href")).toBe(`${region}/pushgateway/metrics`);
    expect(await pushgateway.textContent()).toBe(`${region}/pushgateway/metrics`);
    for (const base of [region, global]) {
      if (base !== region) {
        await page.goto(`${base}/targets`);
        await page.locator("tbody tr").first().waitFor();
      }
      const hrefs = await page.locator("td.endpoint a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
      expect(hrefs.length, base).toBeGreaterThan(0);
      expect(hrefs.filter((href) => href.includes(".edgeprom.internal")), base).toEqual([]);
    }
    await page.goto(`${region}/targets`);
    await page.locator("tbody tr").first().waitFor();
    await page.getByLabel("Down").check();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(api.filter((t) => t.health === "down").length);
    await page.getByLabel("Down").uncheck();
    await page.getByLabel("Search").fill("demo/metrics");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(api.filter((t) => t.scrapeUrl.includes("demo/metrics")).length);
    expect(new URL(page.url()).searchParams.get("search")).toBe("demo/metrics");
    await page.close();
  });

  it("shows every region on the global tier's federation page", async () => {
    await waitFor(
      "both regions federated",
      async () => {
        const fedUp = await query(global, 'up{job="federate"}');
        // A region's first federation can come before its first scrape: wait for series.
        const sent = await query(global, 'scrape_samples_scraped{job="federate"} > 0');
        return fedUp.length === 2 && fedUp.every((s) => s.value[1] === "1") && sent.length === 2 ? true : undefined;
      },
      60_000,
      1000,
    );
    const counts = await query(global, 'scrape_samples_scraped{job="federate"}');
    const fedTargets = (
      (await (await fetch(`${global}/api/v1/targets`)).json()) as {
        data: { activeTargets: { labels: Record<string, string>; discoveredLabels: Record<string, string>; scrapeUrl: string }[] };
      }
    ).data.activeTargets;
    const page = await open();
    await page.goto(`${global}/federation`);
    const rows = page.locator(".federation-table tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    for (const instance of ["local-a.edgeprom.internal", "local-b.edgeprom.internal"]) {
      const row = page.locator(`tr[data-region="${instance}"]`);
      expect(await row.locator(".badge").first().textContent()).toBe("UP");
      const shown = Number((await row.locator("td.value").textContent())!.replace(/,/g, ""));
      expect(shown).toBeGreaterThan(0);
      expect(counts.some((c) => c.metric["instance"] === instance)).toBe(true);
      // The region's own UI: its `__ui_url__` when the configuration sets one, else the
      // origin it is federated from.
      const target = fedTargets.find((t) => t.labels["instance"] === instance)!;
      const ui = target.discoveredLabels["__ui_url__"] ?? `${new URL(target.scrapeUrl).origin}/`;
      expect(await row.getByRole("link", { name: "Open UI" }).getAttribute("href")).toBe(ui);
    }
    // The global tier links to Federation, a region to its Pushgateway.
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Federation" }).count()).toBe(1);
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Pushgateway" }).count()).toBe(0);
    await shot(page, "federation");
    await page.close();
  });

  it("shows alerting and recording rules in Prometheus' JSON shapes", async () => {
    // This tier's own rules API, or a clear "not available" where it has none yet.
    const own = await open();
    await own.goto(`${region}/alerts`);
    await own.locator(".alerts[aria-busy=false]").waitFor();
    const text = await own.locator(".alerts").textContent();
    expect(text).toMatch(/not available|No alerting rules|FIRING|PENDING|INACTIVE/);
    await own.close();

    // Real answers: Prometheus 2.42 evaluating a rule file, served to the page as the
    // tier's /api/v1/rules and /api/v1/alerts.
    await waitFor("Prometheus firing its alert", async () => ((await query(prom.url, "ALERTS")).length > 0 ? true : undefined), 30_000, 500);
    const page = await open();
    await page.route(/\/api\/v1\/(rules|alerts)(\?|$)/, async (route) => {
      const u = new URL(route.request().url());
      const res = await fetch(`${prom.url}${u.pathname}${u.search}`);
      await route.fulfill({ status: res.status, contentType: "application/json", body: await res.text() });
    });
    await page.goto(`${region}/alerts`);
    const firing = page.locator('details[data-rule="AlwaysFiring"]');
    await firing.waitFor();
    expect(await firing.locator("summary .badge").textContent()).toBe("FIRING");
    expect(await firing.locator("table .label").allTextContents()).toContain('severity="page"');
    expect(await firing.locator("table .annotations").textContent()).toContain("the value is 42");
    expect(await firing.locator("td.value").textContent()).toBe("4.2e+01");
    expect(await page.locator('details[data-rule="NeverFiring"] summary .badge').textContent()).toBe("INACTIVE");
    await shot(page, "alerts");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rules" }).click();
    const rec = page.locator('tr[data-rule="job:up:sum"]');
    await rec.waitFor();
    expect(await rec.locator("code").textContent()).toBe("sum by (job) (up)");
    expect(await rec.locator(".badge").textContent()).toBe("OK");
    await shot(page, "rules");
    await page.close();
  });

  it("lists Pushgateway groups and deletes one, value with a slash and all", async () => {
    const push = (path: string, body: string) => fetch(`${pgw.url}${path}`, { method: "PUT", body });
    expect((await push("/metrics/job/backup/instance/db1", "# TYPE backup_last_success_seconds gauge\nbackup_last_success_seconds 1.7e9\n")).status).toBe(200);
    expect((await push("/metrics/job/cleaner/path@base64/L3Zhci90bXA", "# TYPE files_deleted counter\nfiles_deleted_total 12\n")).status).toBe(200);
    const page = await open();
    // The region's /pushgateway/* answered by Debian's Pushgateway 1.5.1.
    await page.route(/\/pushgateway\//, async (route) => {
      const req = route.request();
      const u = new URL(req.url());
      const res = await fetch(`${pgw.url.replace(/\/pushgateway$/, "")}${u.pathname}${u.search}`, { method: req.method() });
      await route.fulfill({ status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "text/plain" }, body: await res.text() });
    });
    await page.goto(`${region}/push`);
    const groups = page.locator(".push-group");
    await groups.first().waitFor();
    expect(await groups.count()).toBe(2);
    const cleaner = page.locator(".push-group", { hasText: 'path="/var/tmp"' });
    expect(await cleaner.textContent()).toContain("Last push:");
    expect(await cleaner.textContent()).not.toContain("Last push: never");
    await cleaner.locator("summary").click();
    expect(await cleaner.locator(".push-family h3 code").allTextContents()).toEqual(["files_deleted_total"]);
    await shot(page, "push");
    page.once("dialog", (d) => void d.accept());
    await cleaner.getByRole("button", { name: /Delete group/ }).click();
    await expect.poll(() => groups.count()).toBe(1);
    const left = (await (await fetch(`${pgw.url}/api/v1/metrics`)).json()) as { data: { labels: Record<string, string> }[] };
    expect(left.data.map((g) => g.labels)).toEqual([{ job: "backup", instance: "db1" }]);
    await page.close();
  });

  it("shows build, runtime, storage figures, flags and the loaded configuration", async () => {
    const page = await open();
    await page.goto(`${region}/status`);
    const storage = page.locator("#storage");
    await storage.locator("th", { hasText: "Bytes per sample" }).waitFor();
    const series = Number((await storage.locator("tr", { hasText: /^Series/ }).first().locator("td").textContent())!.replace(/,/g, ""));
    expect(series).toBeGreaterThan(0);
    await page.locator("#flags th", { hasText: "storage.tsdb.retention.time" }).waitFor();
    await page.locator("#config pre", { hasText: "job_name: demo" }).waitFor();
    await page.locator("#runtime td", { hasText: "3.0.0+edgeprom" }).waitFor();
    await shot(page, "status");
    await page.close();
  });

  it("warns when the browser's clock is off, saying by how much", async () => {
    const ctx = await browser.newContext();
    // The browser's clock two minutes ahead of the server's.
    await ctx.addInitScript(() => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + 120_000;
    });
    const page = await open(ctx);
    await page.goto(`${region}/targets`);
    const banner = page.getByTestId("clock-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/It is 2m( 1s)? ahead of the server's/);
    await ctx.close();
    const normal = await open();
    await normal.goto(`${region}/targets`);
    await normal.locator("tbody tr").first().waitFor();
    await normal.waitForTimeout(500);
    expect(await normal.getByTestId("clock-banner").count()).toBe(0);
    await normal.close();
  });

  it("labels every input and keeps text contrast at WCAG AA on every page, light and dark", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const ctx = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
      const page = await open(ctx);
      const pages = [
        `${region}/query?g0.expr=up&g0.tab=graph&g1.expr=sum%20by%20(job)%20(up)&g1.tab=table`,
        `${region}/targets?dropped=1`,
        `${region}/alerts`,
        `${region}/rules`,
        `${region}/push`,
        `${region}/status`,
        `${global}/federation`,
      ];
      for (const url of pages) {
        await page.goto(url);
        await waitForCheck(page, "settled");
        await page.waitForTimeout(300);
        const unlabelled = await check(page, "unlabelledControls");
        expect(unlabelled, url).toEqual([]);
        const poor = await check(page, "lowContrastText");
        expect(poor, `${colorScheme} ${url}`).toEqual([]);
      }
      await ctx.close();
    }
  });

  it("works with the keyboard alone", async () => {
    const page = await open();
    await page.goto(`${region}/targets`);
    await page.locator("tbody tr").first().waitFor();
    // The first stop is the skip link, then the navigation.
    await page.keyboard.press("Tab");
    expect((await check(page, "focused"))?.text).toBe("Skip to content");
    let reached = false;
    for (let i = 0; i < 6 && !reached; i++) {
      await page.keyboard.press("Tab");
      const f = await check(page, "focused");
      reached = f?.tag === "A" && f.text === "Query";
    }
    expect(reached).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/query$/);
    // Navigation moves focus to the page's heading; the editor is next.
    await expect.poll(async () => (await check(page, "focused"))?.tag).toBe("H1");
    await page.keyboard.press("Tab");
    expect((await check(page, "focused"))?.classes).toContain("cm-content");
    await page.keyboard.type('up{job="demo"}');
    await page.keyboard.press("Control+Enter");
    await page.locator(".data-table tbody tr").first().waitFor();
    // On to the tabs and into the graph with the arrow keys.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press("Tab");
      if ((await check(page, "focused"))?.role === "tab") break;
    }
    expect((await check(page, "focused"))?.text).toBe("Table");
    await page.keyboard.press("ArrowRight");
    await page.locator(".legend-item").first().waitFor();
    expect((await check(page, "focused"))?.text).toBe("Graph");
    // Every control of the graph, then the legend, is reachable with Tab.
    let onLegend = false;
    for (let i = 0; i < 20 && !onLegend; i++) {
      await page.keyboard.press("Tab");
      onLegend = (await check(page, "focused"))?.classes.includes("legend-item") ?? false;
    }
    expect(onLegend).toBe(true);
    await page.keyboard.press("Enter");
    expect(await page.locator('.legend-item[aria-pressed="true"]').count()).toBe(1);
    await shot(page, "keyboard-flow");
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});

