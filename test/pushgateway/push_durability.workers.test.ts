import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PushGateway } from "../../src/pushgateway/push_gateway.js";

const GW = "http://region/pushgateway";

/** A gateway object of its own, so these large pushes never meet other tests' groups. */
function stub(name: string): DurableObjectStub<PushGateway> {
  return env.PUSHGATEWAY!.get(env.PUSHGATEWAY!.idFromName(name)) as DurableObjectStub<PushGateway>;
}

/** n series of one family with labels as wide as a typical HTTP metric's. */
function wideBody(n: number, value: number): string {
  const lines = ["# TYPE http_requests_seen gauge"];
  for (let i = 0; i < n; i++) lines.push(`http_requests_seen{handler="/api/v1/resource/${i}",method="GET",code="200",zone="europe-west1-b"} ${value}`);
  return lines.join("\n") + "\n";
}

async function seriesCount(gw: { fetch(r: Request): Promise<Response> }, job: string): Promise<number> {
  const text = await (await gw.fetch(new Request(GW + "/metrics"))).text();
  return text.split("\n").filter((l) => l.startsWith("http_requests_seen{") && l.includes(`job="${job}"`)).length;
}

describe("the Pushgateway's storage of large groups", () => {
  for (const n of [50_000, 100_000]) {
    it(`stores a ${n}-series push (larger than one SQLite row) and reads it back after a restart`, async () => {
      const s = stub(`big-${n}`);
      const r = await s.fetch(new Request(`${GW}/metrics/job/big${n}`, { method: "PUT", body: wideBody(n, 1) }));
      expect(r.status, await r.clone().text()).toBe(200);
      expect(await seriesCount(s, `big${n}`)).toBe(n);
      const after = await runInDurableObject(s, async (_obj, state) => {
        const parts = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM push_group_parts").one().n;
        // A fresh instance over the same storage is what an eviction or restart gives.
        return { parts, series: await seriesCount(new PushGateway(state, env), `big${n}`) };
      });
      expect(after.parts).toBeGreaterThan(1);
      expect(after.series).toBe(n);
    }, 300_000);
  }

  it("leaves the served group as it was when the SQLite write fails", async () => {
    const s = stub("failing-write");
    expect((await s.fetch(new Request(`${GW}/metrics/job/keep`, { method: "PUT", body: "kept_value 1\n" }))).status).toBe(200);
    const before = await (await s.fetch(new Request(GW + "/api/v1/metrics"))).json();
    // A real SQLite failure inside the transaction, as a full disk would give.
    await runInDurableObject(s, (_obj, state) => {
      state.storage.sql.exec("CREATE TRIGGER refuse BEFORE INSERT ON push_groups BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
    });
    const r = await s.fetch(new Request(`${GW}/metrics/job/keep`, { method: "PUT", body: "kept_value 2\nnew_value 3\n" }));
    expect(r.status).toBe(500);
    const exposed = await (await s.fetch(new Request(GW + "/metrics"))).text();
    expect(exposed).toContain('kept_value{instance="",job="keep"} 1');
    expect(exposed).not.toContain("new_value");
    expect(await (await s.fetch(new Request(GW + "/api/v1/metrics"))).json()).toEqual(before);
    const reloaded = await runInDurableObject(s, async (_obj, state) => (await new PushGateway(state, env).fetch(new Request(GW + "/metrics"))).text());
    expect(reloaded).toContain('kept_value{instance="",job="keep"} 1');
    expect(reloaded).not.toContain("new_value");
  }, 60_000);
});
