import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { assets, manifest } from "../../src/web/generated/ui_bundle.js";
import { PAGES } from "../../src/web/pages.js";

const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`http://region${path}`, { headers, redirect: "manual" });

async function gunzip(b64: string): Promise<string> {
  const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Response(new Blob([bin]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
}

describe("the web UI on a tier", () => {
  it("redirects / and the old /graph (with its panels) to /query, as Prometheus does", async () => {
    const root = await get("/");
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/query");
    const graph = await get("/graph?g0.expr=up&g0.tab=0");
    expect(graph.status).toBe(302);
    expect(graph.headers.get("location")).toBe("/query?g0.expr=up&g0.tab=0");
    expect((await get("/config")).headers.get("location")).toBe("/status#config");
  });

  it("serves every page's shell with the tier's name, the core assets and the page's chunks", async () => {
    for (const page of PAGES) {
      const res = await get(page.path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await res.text();
      expect(html).toContain(`<title>${page.title} · edgeprom test</title>`);
      expect(html).toContain('<meta name="edgeprom-tier" content="test">');
      expect(html).toContain(`<script type="module" src="/assets/${manifest.entry}"></script>`);
      for (const css of manifest.styles) expect(html).toContain(`<link rel="stylesheet" href="/assets/${css}">`);
      for (const chunk of manifest.pages[page.id]!.filter((c) => c.endsWith(".js"))) expect(html).toContain(`<link rel="modulepreload" href="/assets/${chunk}">`);
    }
  });

  it("serves each asset once compressed, cacheable for good, and plain to clients without gzip", async () => {
    const name = manifest.entry;
    const [type, gz] = assets[name]!;
    const js = await gunzip(gz);
    const res = await get(`/assets/${name}`, { "accept-encoding": "gzip, br" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await res.text()).toBe(js);
    const plain = await get(`/assets/${name}`, { "accept-encoding": "identity" });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(js);
    const etag = res.headers.get("etag")!;
    expect((await get(`/assets/${name}`, { "if-none-match": etag })).status).toBe(304);
    expect((await get("/assets/nothing-here.js")).status).toBe(404);
  });

  it("every asset a page references exists", async () => {
    const names = new Set([...manifest.core, ...manifest.styles, ...Object.values(manifest.pages).flat()]);
    for (const n of names) expect(Object.hasOwn(assets, n), n).toBe(true);
    // Chunks import each other by relative name: each import must be an asset too.
    for (const n of Object.keys(assets).filter((x) => x.endsWith(".js"))) {
      const js = await gunzip(assets[n]![1]);
      for (const m of js.matchAll(/from"\.\/([^"]+)"|import\("\.\/([^"]+)"\)/g)) {
        const dep = m[1] ?? m[2]!;
        expect(Object.hasOwn(assets, dep), `${n} imports ${dep}`).toBe(true);
      }
    }
  });

  it("leaves /metrics, /federate and the API where they were", async () => {
    expect((await get("/metrics")).headers.get("content-type")).toContain("text/plain");
    expect((await get("/api/v1/status/buildinfo")).status).toBe(200);
    expect((await get("/federate?match[]=up")).status).toBe(200);
    expect((await get("/no/such/page")).status).toBe(404);
  });
});
