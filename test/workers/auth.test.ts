import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requireBearer } from "../../src/workers/auth.js";

function app(token: string | undefined) {
  let writes = 0;
  const a = new Hono();
  a.post("/w", requireBearer(token), (c) => {
    writes++;
    return c.body(null, 204);
  });
  return { a, writes: () => writes };
}

describe("requireBearer", () => {
  it("lets writes through when no token is configured", async () => {
    const { a, writes } = app(undefined);
    expect((await a.request("/w", { method: "POST" })).status).toBe(204);
    expect(writes()).toBe(1);
  });

  it("answers 401 and runs nothing without the right token", async () => {
    const { a, writes } = app("s3cret");
    for (const h of [undefined, "Bearer wrong", "Bearer s3cret2", "Basic s3cret", "Bearer "]) {
      const res = await a.request("/w", { method: "POST", headers: h ? { authorization: h } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="edgeprom"');
    }
    expect(writes()).toBe(0);
    expect((await a.request("/w", { method: "POST", headers: { authorization: "Bearer s3cret" } })).status).toBe(204);
    expect(writes()).toBe(1);
  });

  it("with readsOpen, guards only the methods that change something", async () => {
    let calls = 0;
    const a = new Hono();
    a.all("/gw/*", requireBearer("s3cret", { readsOpen: true }), (c) => {
      calls++;
      return c.body(null, 200);
    });
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect((await a.request("/gw/metrics", { method })).status).toBe(200);
    for (const method of ["PUT", "POST", "DELETE"]) expect((await a.request("/gw/metrics/job/x", { method })).status).toBe(401);
    expect(calls).toBe(3);
    expect((await a.request("/gw/metrics/job/x", { method: "PUT", headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
  });
});
