import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { manifest } from "../../src/web/generated/ui_bundle.js";
import { PAGES } from "../../src/web/pages.js";

const get = (path: string, init: RequestInit = {}) => SELF.fetch(`http://region${path}`, { redirect: "manual", ...init });

describe("security headers", () => {
  it("sends X-Content-Type-Options: nosniff on every kind of answer", async () => {
    const paths: [string, RequestInit?][] = [
      ["/api/v1/query?query=1"],
      ["/api/v1/query?query=sum("],
      ["/metrics"],
      ["/-/healthy"],
      ["/"],
      ["/query"],
      [`/assets/${manifest.entry}`],
      ["/no/such/path"],
      ["/federate?match[]=up"],
      // Answered by the Pushgateway's Durable Object, whose headers are immutable.
      ["/pushgateway/metrics"],
      ["/pushgateway/api/v1/status"],
      ["/pushgateway/metrics/job/x", { method: "PUT", body: "a{ 1\n" }],
    ];
    expect.assertions(paths.length);
    for (const [path, init] of paths) {
      const res = await get(path, init);
      await res.arrayBuffer();
      expect(res.headers.get("x-content-type-options"), `${init?.method ?? "GET"} ${path} (${res.status})`).toBe("nosniff");
    }
  });

  it("gives every UI page a Content-Security-Policy without inline script, and the shell has none", async () => {
    expect.hasAssertions();
    for (const page of PAGES) {
      const res = await get(page.path);
      const csp = res.headers.get("content-security-policy") ?? "";
      const directives = new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      expect(directives.get("script-src")).toEqual(["'self'"]);
      expect(directives.get("default-src")).toEqual(["'self'"]);
      expect(directives.get("object-src")).toEqual(["'none'"]);
      expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
      const html = await res.text();
      // Every script is a file from this origin, so script-src 'self' lets the UI run.
      for (const tag of html.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(tag).toMatch(/^<script type="module" src="\/assets\/[^"]+"><\/script>$/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
    }
  });
});
