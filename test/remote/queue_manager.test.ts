import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsKey, labelsToRecord } from "../../src/model/labels.js";
import { backoff, MemorySegmentStore, QueueManager, type QueueBatch, type QueueSettings } from "../../src/remote/queue_manager.js";
import { decodeRemoteWriteBody } from "../../src/remote/write_request.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import type { Storage } from "../../src/storage/storage.js";
import { remoteWriteTargets, teeStorage, type RemoteWriteTarget } from "../../src/remote/tee_appender.js";
import { parseConfig } from "../../src/config/index.js";

const settings = (over: Partial<QueueSettings> = {}): QueueSettings => ({
  url: "http://receiver/api/v1/write",
  headers: { "X-Scope-OrgID": "t1" },
  timeoutMs: 30_000,
  maxSamplesPerSend: 4,
  batchSendDeadlineMs: 5_000,
  minBackoffMs: 30,
  maxBackoffMs: 100,
  retryOnHttp429: false,
  capacitySamples: 1000,
  sampleAgeLimitMs: 0,
  ...over,
});

function batch(series: Record<string, Array<[number, number]>>): QueueBatch {
  const keys: string[] = [];
  const counts: number[] = [];
  const ts: number[] = [];
  const vs: number[] = [];
  for (const [name, samples] of Object.entries(series)) {
    keys.push(labelsKey(labelsFromRecord({ __name__: name, job: "j" })));
    counts.push(samples.length);
    for (const [t, v] of samples) {
      ts.push(t);
      vs.push(v);
    }
  }
  return { keys, counts: Uint32Array.from(counts), ts: Float64Array.from(ts), vs: Float64Array.from(vs) };
}

interface Sent {
  at: number;
  headers: Record<string, string>;
  samples: Array<{ name: string; t: number; v: number }>;
}

/** A receiver answering with the queued statuses (then 204), recording what it got. */
function harness(statuses: Array<number | "network"> = []) {
  let clock = 1_000_000;
  const sent: Sent[] = [];
  const store = new MemorySegmentStore();
  const fetch = async (_url: string, init: RequestInit): Promise<Response> => {
    const st = statuses.shift() ?? 204;
    if (st === "network") throw new TypeError("connection refused");
    if (st >= 200 && st < 300) {
      const wr = decodeRemoteWriteBody(init.body as Uint8Array);
      const samples = wr.timeseries.flatMap((s) => s.samples.map((x) => ({ name: labelsToRecord(s.labels).__name__!, t: x.t, v: x.v })));
      sent.push({ at: clock, headers: init.headers as Record<string, string>, samples });
    }
    return new Response(st === 204 ? null : "nope", { status: st });
  };
  const deps = { fetch, now: () => clock };
  return {
    store,
    sent,
    deps,
    mgr: new QueueManager(store, deps),
    advance: (ms: number) => (clock += ms),
    get now() {
      return clock;
    },
  };
}

describe("QueueManager", () => {
  it("waits for batch_send_deadline on a partial batch, sends a full one at once", async () => {
    const h = harness();
    const next = h.mgr.enqueue(settings(), batch({ a: [[1, 1], [2, 2]] }));
    expect(next).toBe(h.now + 5_000);
    expect(await h.mgr.run(10)).toBe(h.now + 5_000);
    expect(h.sent).toHaveLength(0);
    h.advance(5_000);
    expect(await h.mgr.run(10)).toBeNull();
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]!.samples).toEqual([
      { name: "a", t: 1, v: 1 },
      { name: "a", t: 2, v: 2 },
    ]);
    expect(h.sent[0]!.headers).toMatchObject({
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
      "X-Scope-OrgID": "t1",
    });
    // A full batch is due right away.
    expect(h.mgr.enqueue(settings(), batch({ b: [[1, 1], [2, 2], [3, 3], [4, 4]] }))).toBe(h.now);
  });

  it("splits into sends of at most max_samples_per_send, in order", async () => {
    const h = harness();
    h.mgr.enqueue(settings(), batch({ a: [[1, 1], [2, 2], [3, 3]], b: [[1, 10], [2, 20], [3, 30], [4, 40]] }));
    h.mgr.enqueue(settings(), batch({ c: [[5, 5]] }));
    expect(await h.mgr.run(1)).toBe(h.now); // a full batch remains
    h.advance(5_000);
    await h.mgr.run(10);
    expect(h.sent.map((s) => s.samples.length)).toEqual([4, 4]);
    expect(h.sent.flatMap((s) => s.samples.map((x) => `${x.name}${x.t}`))).toEqual(["a1", "a2", "a3", "b1", "b2", "b3", "b4", "c5"]);
    expect(h.mgr.stats()).toMatchObject({ samplesIn: 8, samplesSent: 8, pendingSamples: 0, retries: 0 });
  });

  it("retries 5xx and network errors with exponential backoff, then delivers", async () => {
    const h = harness([500, "network", 503, 502, 500]);
    h.mgr.enqueue(settings({ batchSendDeadlineMs: 0 }), batch({ a: [[1, 1]] }));
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = h.now;
      const next = await h.mgr.run(10);
      expect(h.sent).toHaveLength(0);
      waits.push(next! - start);
      expect(await h.mgr.run(10)).toBe(next); // backing off: no request before
      h.advance(next! - h.now);
    }
    expect(waits).toEqual([30, 60, 100, 100, 100]);
    expect(await h.mgr.run(10)).toBeNull();
    expect(h.sent.map((s) => s.samples)).toEqual([[{ name: "a", t: 1, v: 1 }]]);
    expect(h.mgr.stats()).toMatchObject({ retries: 5, samplesSent: 1, samplesFailed: 0, pendingSamples: 0, attempt: 0 });
  });

  it("drops a batch on 4xx, and on 429 unless retry_on_http_429", async () => {
    const h = harness([400, 429]);
    h.mgr.enqueue(settings({ batchSendDeadlineMs: 0, maxSamplesPerSend: 1 }), batch({ a: [[1, 1]], b: [[1, 1]], c: [[1, 1]] }));
    await h.mgr.run(10);
    expect(h.sent.map((s) => s.samples[0]!.name)).toEqual(["c"]);
    expect(h.mgr.stats()).toMatchObject({ samplesFailed: 2, samplesSent: 1, retries: 0 });
    expect(h.mgr.stats().lastError).toContain("429");

    const r = harness([429]);
    r.mgr.enqueue(settings({ batchSendDeadlineMs: 0, retryOnHttp429: true }), batch({ a: [[1, 1]] }));
    expect(await r.mgr.run(10)).toBe(r.now + 30);
    r.advance(30);
    await r.mgr.run(10);
    expect(r.mgr.stats()).toMatchObject({ samplesFailed: 0, samplesSent: 1, retries: 1 });
  });

  it("keeps its backlog bounded by dropping the oldest segments", async () => {
    const h = harness();
    const s = settings({ capacitySamples: 8, maxSamplesPerSend: 4 });
    h.mgr.enqueue(s, batch({ a: [[1, 1], [2, 2], [3, 3], [4, 4]] }));
    h.mgr.enqueue(s, batch({ b: [[1, 1], [2, 2], [3, 3], [4, 4]] }));
    h.mgr.enqueue(s, batch({ c: [[1, 1], [2, 2]] }));
    expect(h.mgr.stats()).toMatchObject({ samplesDropped: 4, pendingSamples: 6 });
    h.advance(5_000);
    await h.mgr.run(10);
    expect(h.sent.flatMap((x) => x.samples.map((y) => y.name))).toEqual(["b", "b", "b", "b", "c", "c"]);
  });

  it("survives a restart: a new manager over the same store continues", async () => {
    const h = harness(["network"]);
    h.mgr.enqueue(settings({ batchSendDeadlineMs: 0 }), batch({ a: [[1, 1]] }));
    await h.mgr.run(10);
    const again = new QueueManager(h.store, h.deps);
    expect(again.stats()).toMatchObject({ retries: 1, pendingSamples: 1, attempt: 1 });
    expect(again.nextWakeAt()).toBe(h.now + 30);
    h.advance(30);
    await again.run(10);
    expect(h.sent).toHaveLength(1);
  });

  it("drops samples older than sample_age_limit", async () => {
    const h = harness();
    h.mgr.enqueue(settings({ batchSendDeadlineMs: 0, maxSamplesPerSend: 1, sampleAgeLimitMs: 1000 }), batch({ old: [[h.now - 5000, 1]], fresh: [[h.now, 2]] }));
    await h.mgr.run(10);
    expect(h.sent.flatMap((x) => x.samples.map((y) => y.name))).toEqual(["fresh"]);
    expect(h.mgr.stats()).toMatchObject({ samplesDropped: 1, samplesSent: 1 });
  });

  it("backoff doubles from min to max", () => {
    expect([0, 1, 2, 3, 10, 100].map((a) => backoff(a, 30, 5000))).toEqual([30, 60, 120, 240, 5000, 5000]);
  });
});

describe("TeeAppender", () => {
  it("commits to storage and enqueues relabelled samples with external labels", async () => {
    const config = parseConfig(`
global:
  external_labels: { region: r1 }
remote_write:
  - url: http://a/api/v1/write
    write_relabel_configs:
      - source_labels: [__name__]
        regex: drop_me
        action: drop
  - url: http://b/api/v1/write
    name: second
`);
    const got: Array<{ name: string; keys: string[][]; ts: number[] }> = [];
    const targets: RemoteWriteTarget[] = remoteWriteTargets(config, "t", (name) => ({
      enqueue: async (_s, b) => {
        got.push({ name, keys: b.keys.map((k) => Object.entries(labelsToRecord(labelsFromKeyLocal(k))).map(([a, v]) => `${a}=${v}`)), ts: [...b.ts] });
      },
    }));
    const mem = new MemoryStorage();
    const app = teeStorage(mem, targets).appender();
    app.append(labelsFromRecord({ __name__: "keep", region: "own" }), 1, 1);
    app.append(labelsFromRecord({ __name__: "drop_me" }), 2, 2);
    const res = await app.commit();
    expect(res.appended).toBe(2);
    got.sort((a, b) => a.name.localeCompare(b.name));
    expect(got.map((g) => g.name)).toEqual(["t/remote-write/0", "t/remote-write/second"]);
    expect(got[0]!.keys).toEqual([["__name__=keep", "region=own"]]);
    expect(got[1]!.keys).toEqual([["__name__=keep", "region=own"], ["__name__=drop_me", "region=r1"]]);
  });

  it("keeps storage's commit groups: a member's commit goes through the group, then to the queues", async () => {
    const enqueued: string[][] = [];
    const targets = remoteWriteTargets(parseConfig("remote_write:\n  - url: http://a/api/v1/write\n"), "t", () => ({
      enqueue: async (_s, b) => {
        enqueued.push(b.keys);
      },
    }));
    const mem = new MemoryStorage();
    const events: string[] = [];
    const grouped: Storage = Object.assign(Object.create(mem) as Storage, {
      appendGroup: () => ({
        join: () => {
          events.push("join");
          return Object.assign(Object.create(mem) as Storage, { leave: () => events.push("leave") });
        },
      }),
    });
    const member = teeStorage(grouped, targets).appendGroup!(1000).join();
    const app = member.appender();
    app.append(labelsFromRecord({ __name__: "g" }), 1, 1);
    expect((await app.commit()).appended).toBe(1);
    member.leave();
    expect(events).toEqual(["join", "leave"]);
    expect(enqueued).toEqual([[labelsKey(labelsFromRecord({ __name__: "g" }))]]);
  });

  it("forwards stale markers with their exact bits", async () => {
    const config = parseConfig("remote_write:\n  - url: http://a/api/v1/write\n");
    // Captured as a typed array: a plain array would itself quieten the NaN.
    let values = new Float64Array(0);
    const targets = remoteWriteTargets(config, "t", () => ({
      enqueue: async (_s, b) => {
        values = b.vs.slice();
      },
    }));
    const app = teeStorage(new MemoryStorage(), targets).appender();
    app.append(labelsFromRecord({ __name__: "gone" }), 1, 1);
    app.append(labelsFromRecord({ __name__: "gone" }), 2, STALE_NAN);
    await app.commit();
    const bits = new DataView(new ArrayBuffer(8));
    bits.setFloat64(0, values[1]!);
    expect([bits.getUint32(0).toString(16), bits.getUint32(4)]).toEqual(["7ff00000", 2]);
  });

  it("forwards native histograms only to send_native_histograms targets, through encoded segments", async () => {
    const config = parseConfig("remote_write:\n  - url: http://a/api/v1/write\n    send_native_histograms: true\n  - url: http://b/api/v1/write\n");
    const got = new Map<string, QueueBatch>();
    const targets = remoteWriteTargets(config, "t", (name) => ({
      enqueue: async (_s, b) => {
        // What crosses the Durable Object boundary is a structured clone.
        got.set(name, structuredClone(b));
      },
    }));
    const app = teeStorage(new MemoryStorage(), targets).appender();
    const h = FloatHistogram.from({ schema: 1, count: 5, sum: 2.5, zeroThreshold: 0.001, zeroCount: 1, positiveSpans: [{ offset: -1, length: 2 }], positiveBuckets: [1, 3] });
    app.appendHistogram!(labelsFromRecord({ __name__: "lat" }), 10, h);
    app.append(labelsFromRecord({ __name__: "up" }), 10, 1);
    await app.commit();
    expect(got.get("t/remote-write/1")!.histograms).toBeUndefined();
    const sent = got.get("t/remote-write/0")!;
    const segs = encodeSegments(sent, 1);
    expect(segs.map((x) => x.samples)).toEqual([1, 1]);
    const wr = decodeWriteRequest(segs[1]!.body);
    expect(wr.timeseries.map((ts) => [ts.labels, ts.histograms.map((x) => [x.t, x.integer, x.h.toString()])])).toEqual([
      [[{ name: "__name__", value: "lat" }], [[10, true, h.toString()]]],
    ]);
  });
});

import { FloatHistogram } from "../../src/model/histogram.js";
import { encodeSegments } from "../../src/remote/queue_manager.js";
import { decodeWriteRequest } from "../../src/remote/write_request.js";
import { labelsFromKey as labelsFromKeyLocal } from "../../src/model/labels.js";
import { STALE_NAN } from "../../src/model/sample.js";
