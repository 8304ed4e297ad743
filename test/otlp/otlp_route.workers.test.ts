import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/workers/app.js";

/** The OTLP route inside workerd, with the tier's write token: refused without it,
 * stored (gzip body decoded by the runtime's DecompressionStream) and queryable with
 * it; scope metadata promoted when OTLP_PROMOTE_SCOPE_METADATA is true. */
describe("POST /api/v1/otlp/v1/metrics in workerd", () => {
  const now = Date.now();
  const request = JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "w" } }] },
        scopeMetrics: [
          {
            scope: { name: "lib", version: "2" },
            metrics: [{ name: "workerd.otlp", unit: "s", gauge: { dataPoints: [{ timeUnixNano: `${now}000000`, asDouble: 7 }] } }],
          },
        ],
      },
    ],
  });

  async function gzip(text: string): Promise<Uint8Array> {
    return new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
  }

  it("needs the write token, like remote write", async () => {
    const app = buildApp({ ...(env as unknown as Env), WRITE_TOKEN: "s3cret", OTLP_PROMOTE_SCOPE_METADATA: "true" });
    const headers = { "content-type": "application/json", "content-encoding": "gzip" };
    const denied = await app.request("/api/v1/otlp/v1/metrics", { method: "POST", headers, body: await gzip(request) });
    expect(denied.status).toBe(401);
    const ok = await app.request("/api/v1/otlp/v1/metrics", { method: "POST", headers: { ...headers, authorization: "Bearer s3cret" }, body: await gzip(request) });
    expect([ok.status, await ok.text()]).toEqual([200, "{}"]);
    const q = await app.request(`/api/v1/query?query=workerd_otlp_seconds&time=${now / 1000}`, { headers: { authorization: "Bearer s3cret" } });
    const body = (await q.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    expect(body.data.result).toEqual([{ metric: { __name__: "workerd_otlp_seconds", job: "w", otel_scope_name: "lib", otel_scope_version: "2" }, value: [now / 1000, "7"] }]);
  });
});
