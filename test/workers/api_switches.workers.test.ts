import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PushGateway } from "../../src/pushgateway/push_gateway.js";
import { buildApp } from "../../src/workers/app.js";

/** The test worker's env with the admin and lifecycle switches as a deployment without
 * them (or with them set otherwise) would have. */
function appWith(vars: Partial<Env>) {
  const base = { ...(env as unknown as Env), ENABLE_ADMIN_API: "", ENABLE_LIFECYCLE: "" };
  return buildApp({ ...base, ...vars });
}

const ADMIN = ["/api/v1/admin/tsdb/delete_series?match[]=up", "/api/v1/admin/tsdb/clean_tombstones", "/api/v1/admin/tsdb/snapshot"];

describe("admin and lifecycle APIs without ENABLE_* or a write token", () => {
  // Answers observed from Prometheus 2.42 started without --web.enable-admin-api
  // and --web.enable-lifecycle.
  it("refuses the TSDB admin API as Prometheus does", async () => {
    expect.assertions(ADMIN.length * 2 * 3);
    const app = appWith({});
    for (const path of ADMIN) {
      for (const method of ["POST", "PUT"]) {
        const r = await app.request(path, { method });
        expect(r.status).toBe(500);
        expect(r.headers.get("content-type")).toMatch(/^application\/json/);
        expect(await r.text()).toBe('{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}');
      }
    }
  });

  it("refuses /-/reload as Prometheus does", async () => {
    expect.assertions(4);
    const app = appWith({});
    for (const method of ["POST", "PUT"]) {
      const r = await app.request("/-/reload", { method });
      expect(r.status).toBe(403);
      expect(await r.text()).toBe("Lifecycle API is not enabled.");
    }
  });

  it("shows the switches in /api/v1/status/flags", async () => {
    const off = (await (await appWith({}).request("/api/v1/status/flags")).json()) as { data: Record<string, string> };
    expect(off.data["web.enable-admin-api"]).toBe("false");
    expect(off.data["web.enable-lifecycle"]).toBe("false");
    const on = (await (await appWith({ ENABLE_ADMIN_API: "true", ENABLE_LIFECYCLE: "true" }).request("/api/v1/status/flags")).json()) as { data: Record<string, string> };
    expect(on.data["web.enable-admin-api"]).toBe("true");
    expect(on.data["web.enable-lifecycle"]).toBe("true");
  });

  it("has no Pushgateway wipe route, as the real gateway without --web.enable-admin-api", async () => {
    const stub = env.PUSHGATEWAY!.get(env.PUSHGATEWAY!.idFromName("switches-off"));
    const got = await runInDurableObject(stub, async (_obj, state) => {
      const gw = new PushGateway(state, { ...env, ENABLE_ADMIN_API: "", WRITE_TOKEN: undefined });
      await gw.fetch(new Request("http://x/pushgateway/metrics/job/kept", { method: "PUT", body: "kept 1\n" }));
      const wipe = await gw.fetch(new Request("http://x/pushgateway/api/v1/admin/wipe", { method: "PUT" }));
      const status = (await (await gw.fetch(new Request("http://x/pushgateway/api/v1/status"))).json()) as { data: { flags: Record<string, string> } };
      const metrics = await (await gw.fetch(new Request("http://x/pushgateway/metrics"))).text();
      return { status: wipe.status, body: await wipe.text(), flag: status.data.flags["web.enable-admin-api"], metrics };
    });
    expect(got.status).toBe(404);
    expect(got.body).toBe("404 page not found\n");
    expect(got.flag).toBe("false");
    expect(got.metrics).toContain('kept{instance="",job="kept"} 1');
  });
});

describe("admin and lifecycle APIs with a write token", () => {
  it("are on and still need the token", async () => {
    await env.CONFIG.put("regions/test/prometheus.yml", "global:\n  scrape_interval: 15s\n");
    const app = appWith({ WRITE_TOKEN: "s3cret" });
    expect((await app.request("/api/v1/admin/tsdb/clean_tombstones", { method: "POST" })).status).toBe(401);
    expect((await app.request("/api/v1/admin/tsdb/clean_tombstones", { method: "POST", headers: { authorization: "Bearer s3cret" } })).status).toBe(204);
    expect((await app.request("/-/reload", { method: "POST" })).status).toBe(401);
    const reload = await app.request("/-/reload", { method: "PUT", headers: { authorization: "Bearer s3cret" } });
    expect(await reload.text()).toBe("");
    expect(reload.status).toBe(200);
  });
});
