import { abortAllDurableObjects, env, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey } from "../../src/model/labels.js";
import type { QueueSettings } from "../../src/remote/queue_manager.js";
import { RemoteWriteQueue } from "../../src/remote/remote_write_queue.js";
import { until } from "../support/until.js";

// The RemoteWriteQueue Durable Object in workerd, on its own alarms. Its receiver is
// this Worker's own /api/v1/write, reached through SELF; while the test says the
// receiver is down, sends get a 503 instead.

const SETTINGS: QueueSettings = {
  url: "http://receiver.test/api/v1/write",
  headers: {},
  timeoutMs: 5_000,
  maxSamplesPerSend: 100,
  batchSendDeadlineMs: 0,
  minBackoffMs: 200,
  maxBackoffMs: 400,
  retryOnHttp429: false,
  capacitySamples: 10_000,
  sampleAgeLimitMs: 0,
};

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** The queue's sends (global fetch in this isolate) go to the receiver. */
function receiver() {
  const r = { down: true, sends: 0 };
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.host !== "receiver.test") return realFetch(input, init);
    r.sends++;
    if (r.down) return new Response("receiver down\n", { status: 503 });
    return SELF.fetch(`http://region${url.pathname}`, init);
  }) as typeof fetch;
  return r;
}

describe("RemoteWriteQueue", () => {
  it("keeps its samples through failed sends and an eviction, and delivers them when the receiver is back", { timeout: 60_000 }, async () => {
    const rx = receiver();
    const stub = () => env.REMOTE_WRITE.get(env.REMOTE_WRITE.idFromName("test/remote-write/rwq"));
    const t = Date.now() - 10_000;
    const key = labelsKey(labelsFromRecord({ __name__: "rwq_test", instance: "a" }));
    const queued = await stub().enqueue(SETTINGS, { keys: [key], counts: new Uint32Array([2]), ts: new Float64Array([t, t + 1000]), vs: new Float64Array([1, 2]) });
    expect(queued.pendingSamples).toBe(2);

    // The object's own alarm sends, gets a 503, and arms the retry after the backoff.
    const failed = await until("a failed send", async () => {
      const s = await stub().stats();
      return s.retries >= 2 ? s : undefined;
    });
    expect(failed.pendingSamples).toBe(2);
    expect(failed.samplesSent).toBe(0);
    expect(failed.lastError).toMatch(/503/);
    expect(await runInDurableObject(stub(), (_o, state) => state.storage.getAlarm())).not.toBeNull();

    // Evicted: a new instance reads the queue and its backoff state back from SQLite.
    await abortAllDurableObjects();
    const after = await stub().stats();
    expect(after.pendingSamples).toBe(2);
    expect(after.retries).toBeGreaterThanOrEqual(failed.retries);
    expect(after.url).toBe(SETTINGS.url);

    rx.down = false;
    const sent = await until("the samples delivered", async () => {
      const s = await stub().stats();
      return s.pendingSamples === 0 ? s : undefined;
    });
    expect(sent.samplesSent).toBe(2);
    expect(sent.samplesFailed).toBe(0);

    const res = await SELF.fetch(`http://region/api/v1/query_range?query=rwq_test&start=${(t - 1) / 1000}&end=${(t + 2000) / 1000}&step=1`);
    const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; values: [number, string][] }> } };
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0]!.metric).toEqual({ __name__: "rwq_test", instance: "a" });
    expect(new Set(body.data.result[0]!.values.map(([, v]) => v))).toEqual(new Set(["1", "2"]));
  });

  it("arms its next alarm when an alarm throws", async () => {
    const stub = env.REMOTE_WRITE.get(env.REMOTE_WRITE.idFromName("test/remote-write/broken"));
    const got = await runInDurableObject(stub, async (obj, state) => {
      await obj.enqueue({ ...SETTINGS, batchSendDeadlineMs: 60_000 }, { keys: [labelsKey(labelsFromRecord({ __name__: "x" }))], counts: new Uint32Array([1]), ts: new Float64Array([Date.now()]), vs: new Float64Array([1]) });
      // A queue whose table went away: every step of the alarm throws.
      state.storage.sql.exec("DROP TABLE rw_segments");
      await state.storage.deleteAlarm();
      const before = Date.now();
      await obj.alarm();
      return { before, alarm: await state.storage.getAlarm() };
    });
    expect(got.alarm).not.toBeNull();
    expect(got.alarm!).toBeGreaterThanOrEqual(got.before + 4_000);
  });

  it("adopts the tables of a queue made before drizzle managed them", async () => {
    const stub = env.REMOTE_WRITE.get(env.REMOTE_WRITE.idFromName("test/remote-write/old"));
    const stats = await runInDurableObject(stub, async (_obj, state) => {
      // What such a queue holds: its own tables with a pending segment, no migrations.
      state.storage.sql.exec("DROP TABLE __drizzle_migrations");
      state.storage.sql.exec("INSERT INTO rw_segments (enqueued_at, samples, max_t, body) VALUES (?, ?, ?, ?)", Date.now(), 3, Date.now(), new Uint8Array([0]).buffer);
      return new RemoteWriteQueue(state, env).stats();
    });
    expect(stats.pendingSamples).toBe(3);
    expect(stats.pendingSegments).toBe(1);
  });
});
