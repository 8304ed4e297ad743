import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Alertmanager } from "../../src/alertmanager/alertmanager_object.js";
import { alertmanagerObjectName } from "../../src/alertmanager/mount.js";

// The tier's Alertmanager behind the Worker's /alertmanager mount; a second object
// built over the same storage (what a restart does) sees the same alerts, groups and
// silences.

const AM = "http://tier/alertmanager/api/v2";

const CONFIG = `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1h
receivers:
  - name: hook
    webhook_configs: [{url: 'http://127.0.0.1:9/never'}]
`;

describe("the Alertmanager object", () => {
  it("keeps alerts, groups and silences across a restart", async () => {
    await env.CONFIG.put("alertmanager.yml", CONFIG);
    const post = await SELF.fetch(`${AM}/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ labels: { alertname: "Durable", instance: "i1" } }]) });
    expect(post.status, await post.text()).toBe(200);
    const now = Date.now();
    const sil = await SELF.fetch(`${AM}/silences`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ matchers: [{ name: "instance", value: "i9", isRegex: false }], startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600_000).toISOString(), createdBy: "t", comment: "c" }),
    });
    const { silenceID } = (await sil.json()) as { silenceID: string };
    expect(silenceID).toMatch(/^[0-9a-f-]{36}$/);

    const ns = env.ALERTMANAGER!;
    const stub = ns.get(ns.idFromName(alertmanagerObjectName(env.TIER)));
    await runInDurableObject(stub, async (_instance, state) => {
      const fresh = new Alertmanager(state, env as never);
      const alerts = (await (await fresh.fetch(new Request("http://x/api/v2/alerts"))).json()) as { labels: Record<string, string> }[];
      expect(alerts.map((a) => a.labels)).toEqual([{ alertname: "Durable", instance: "i1" }]);
      const groups = (await (await fresh.fetch(new Request("http://x/api/v2/alerts/groups"))).json()) as { labels: Record<string, string> }[];
      expect(groups.map((g) => g.labels)).toEqual([{ alertname: "Durable" }]);
      const silences = (await (await fresh.fetch(new Request("http://x/api/v2/silences"))).json()) as { id: string; status: { state: string } }[];
      expect(silences.map((s) => [s.id, s.status.state])).toEqual([[silenceID, "active"]]);
      // The group's timer survived too: its flush is still an hour away, and an alarm is set.
      const docs = state.storage.sql.exec<{ doc: string }>("SELECT doc FROM am_groups").toArray().map((r) => JSON.parse(r.doc) as { nextFlushAt: number });
      expect(docs.map((d) => d.nextFlushAt > now + 50 * 60_000)).toEqual([true]);
      expect(await state.storage.getAlarm()).not.toBeNull();
    });
  });

  it("rejects invalid alerts as Alertmanager does", async () => {
    await env.CONFIG.put("alertmanager.yml", CONFIG);
    const r = await SELF.fetch(`${AM}/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ labels: {} }]) });
    expect(r.status).toBe(400);
    expect(await r.json()).toBe("at least one label pair required");
  });

  it("runs the built-in default while no alertmanager.yml is stored: alerts kept and shown, sent nowhere", async () => {
    await env.CONFIG.delete("alertmanager.yml");
    const ns = env.ALERTMANAGER!;
    const stub = ns.get(ns.idFromName(alertmanagerObjectName(env.TIER)));
    const got = await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.deleteAll();
      const fresh = new Alertmanager(state, env as never);
      const ask = async (path: string, init?: RequestInit) => fresh.fetch(new Request(`http://x${path}`, init));
      const ready = await ask("/-/ready");
      const post = await ask("/api/v2/alerts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ labels: { alertname: "NoConfig" } }]) });
      const groups = (await (await ask("/api/v2/alerts/groups")).json()) as { labels: Record<string, string>; receiver: { name: string } }[];
      const status = (await (await ask("/api/v2/status")).json()) as { config: { original: string } };
      return { ready: ready.status, post: post.status, groups: groups.map((g) => [g.labels, g.receiver.name]), original: status.config.original };
    });
    expect(got.ready).toBe(200);
    expect(got.post).toBe(200);
    expect(got.groups).toEqual([[{ alertname: "NoConfig" }, "null"]]);
    expect(got.original).toContain("edgeprom's built-in default");
  });
});
