import { describe, expect, it } from "vitest";
import { CounterResetHint } from "../../src/model/histogram.js";
import { labelsToRecord } from "../../src/model/labels.js";
import { newMatcher } from "../../src/model/matchers.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { decodeWriteRequestV2 } from "../../src/remote/write_request_v2.js";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { encodeV2, encodeV2Body, V2_HEADERS, type V2Series } from "./support/rw2_encoder.js";

const T = 1_700_000_000_000;

const series: V2Series[] = [
  {
    labels: [
      ["__name__", "http_requests_total"],
      ["job", "api"],
    ],
    samples: [
      { t: T, v: 1 },
      { t: T + 1000, v: 2 },
    ],
    exemplars: [{ labels: [["trace_id", "abc"]], t: T + 500, v: 1 }],
    metadata: { type: 1, help: "Requests.", unit: "" },
    createdTimestamp: T - 60_000,
  },
  {
    labels: [
      ["__name__", "latency_seconds"],
      ["job", "api"],
    ],
    histograms: [
      {
        t: T,
        schema: 0,
        sum: 12.5,
        zeroThreshold: 0.001,
        resetHint: 2,
        positiveSpans: [
          { offset: 0, length: 2 },
          { offset: 1, length: 1 },
        ],
        negativeSpans: [{ offset: -1, length: 1 }],
        int: { count: 9, zeroCount: 1, positiveDeltas: [2, 1, -2], negativeDeltas: [2] },
      },
      {
        t: T + 1000,
        schema: 0,
        sum: 20,
        positiveSpans: [{ offset: 0, length: 2 }],
        float: { count: 7.5, zeroCount: 0.5, positiveCounts: [3, 4], negativeCounts: [] },
      },
    ],
  },
  {
    labels: [["__name__", "nhcb"]],
    histograms: [{ t: T, schema: -53, sum: 3, customValues: [1, 5], positiveSpans: [{ offset: 0, length: 3 }], int: { count: 3, zeroCount: 0, positiveDeltas: [1, 0, 0], negativeDeltas: [] } }],
  },
];

function post(body: Uint8Array, headers: Record<string, string> = V2_HEADERS): Request {
  return new Request("http://x/api/v1/write", { method: "POST", body, headers });
}

function writtenHeaders(res: Response): [string | null, string | null, string | null] {
  return [
    res.headers.get("X-Prometheus-Remote-Write-Samples-Written"),
    res.headers.get("X-Prometheus-Remote-Write-Histograms-Written"),
    res.headers.get("X-Prometheus-Remote-Write-Exemplars-Written"),
  ];
}

describe("remote write 2.0 decoding", () => {
  it("resolves symbols (sent after the series), samples, exemplars, metadata and created timestamps", () => {
    const wr = decodeWriteRequestV2(encodeV2(series));
    expect(wr.timeseries).toHaveLength(3);
    const [a, b, c] = wr.timeseries;
    expect(a!.labels).toEqual([
      { name: "__name__", value: "http_requests_total" },
      { name: "job", value: "api" },
    ]);
    expect(a!.samples).toEqual(series[0]!.samples);
    expect(a!.exemplars).toEqual([{ labels: [{ name: "trace_id", value: "abc" }], t: T + 500, v: 1 }]);
    expect(a!.metadata).toEqual({ type: "counter", help: "Requests.", unit: "" });
    expect(a!.createdTimestamp).toBe(T - 60_000);
    const [hi, hf] = b!.histograms;
    // Deltas [2, 1, -2] are counts [2, 3, 1].
    expect({ ...hi!.h, customValues: null }).toMatchObject({
      schema: 0,
      count: 9,
      sum: 12.5,
      zeroCount: 1,
      zeroThreshold: 0.001,
      counterResetHint: CounterResetHint.NotCounterReset,
      positiveSpans: [
        { offset: 0, length: 2 },
        { offset: 1, length: 1 },
      ],
      positiveBuckets: [2, 3, 1],
      negativeSpans: [{ offset: -1, length: 1 }],
      negativeBuckets: [2],
    });
    expect(hi!.t).toBe(T);
    expect([hf!.h.count, hf!.h.zeroCount, hf!.h.positiveBuckets]).toEqual([7.5, 0.5, [3, 4]]);
    expect([c!.histograms[0]!.h.schema, c!.histograms[0]!.h.customValues, c!.histograms[0]!.h.positiveBuckets]).toEqual([-53, [1, 5], [1, 1, 1]]);
  });

  it("reduces schemas above 8 to 8, as Prometheus does on ingest", async () => {
    const storage = new MemoryStorage();
    const fine: V2Series = {
      labels: [["__name__", "fine"]],
      histograms: [{ t: T, schema: 10, sum: 1, positiveSpans: [{ offset: 3, length: 4 }], int: { count: 4, zeroCount: 0, positiveDeltas: [1, 0, 0, 0], negativeDeltas: [] } }],
    };
    expect((await remoteWriteHandler(post(encodeV2Body([fine])), storage, { maxBodyBytes: 1 << 20 })).status).toBe(204);
    const got = [];
    for await (const s of storage.querier().select([newMatcher("=", "__name__", "fine")], { start: 0, end: T + 1 })) got.push(s.hs![0]!);
    // Schema 8's bucket i is schema 10's 4i-3..4i: indices 3..6 fall in 1 and 2.
    expect(got.map((h) => [h.schema, h.positiveSpans, h.positiveBuckets])).toEqual([[8, [{ offset: 1, length: 2 }], [2, 2]]]);
  });

  it("names invalid histograms in a 400 and stores the rest", async () => {
    const storage = new MemoryStorage();
    const hist = (schema: number, spans: number, deltas: number[]): V2Series["histograms"] => [
      { t: T, schema, sum: 0, positiveSpans: spans > 0 ? [{ offset: 0, length: spans }] : [], int: { count: Math.max(0, deltas.reduce((a, b) => a + b, 0)), zeroCount: 0, positiveDeltas: deltas, negativeDeltas: [] } },
    ];
    const res = await remoteWriteHandler(
      post(
        encodeV2Body([
          { labels: [["__name__", "short"]], histograms: hist(0, 2, [1]) },
          { labels: [["__name__", "coarse"]], histograms: hist(-5, 0, []) },
          { labels: [["__name__", "negative"]], histograms: hist(0, 2, [1, -2]) },
          { labels: [["__name__", "ok"]], histograms: hist(0, 1, [2]) },
        ]),
      ),
      storage,
      { maxBodyBytes: 1 << 20 },
    );
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toMatch(/^3 native histogram samples rejected: short at \d+: positive side: spans need 2 buckets, have 1 buckets/);
    expect(text).toContain("coarse at");
    expect(text).toContain("invalid schema");
    expect(text).toContain("negative at");
    expect(writtenHeaders(res)).toEqual(["0", "1", "0"]);
    expect((await storage.stats()).series).toBe(1);
  });

  it("refuses requests that break the spec with a message", () => {
    const bad: [V2Series[] | Uint8Array, RegExp][] = [
      [[{ labels: [["__name__", "x"], ["a", "a"], ["a", "b"]] }], /duplicate label name "a"/],
      [[{ labels: [["", "x"]] }], /empty label name/],
      // TimeSeries with labels_refs [1, 7] but 2 symbols.
      [new Uint8Array([0x2a, 0x04, 0x0a, 0x02, 0x01, 0x07, 0x22, 0x00, 0x22, 0x01, 0x61]), /symbol reference 7 outside the 2 symbols/],
      [new Uint8Array([0x2a, 0x03, 0x0a, 0x01, 0x01, 0x22, 0x00, 0x22, 0x01, 0x61]), /odd number of label references/],
      [new Uint8Array([0x22, 0x01, 0x61]), /symbols\[0\] must be the empty string/],
    ];
    for (const [input, msg] of bad) expect(() => decodeWriteRequestV2(input instanceof Uint8Array ? input : encodeV2(input))).toThrow(msg);
  });
});

describe("remote write 2.0 receiver", () => {
  it("stores floats, histograms and exemplars and says so in the written headers; 1.0 keeps working", async () => {
    const storage = new MemoryStorage({ maxExemplars: 10 });
    const res = await remoteWriteHandler(post(encodeV2Body(series)), storage, { maxBodyBytes: 1 << 20 });
    expect(res.status).toBe(204);
    expect(writtenHeaders(res)).toEqual(["2", "3", "1"]);
    const got: Record<string, number[]> = {};
    for await (const s of storage.querier().select([newMatcher("=~", "__name__", ".+")], { start: 0, end: T + 10_000 })) {
      got[labelsToRecord(s.labels).__name__!] = [...s.ts];
      if (s.hs !== undefined) expect(s.hs.every((h) => h !== undefined)).toBe(true);
    }
    expect(got).toEqual({ http_requests_total: [T, T + 1000], latency_seconds: [T, T + 1000], nhcb: [T] });
    const ex = await storage.querier().selectExemplars!([[newMatcher("=", "__name__", "http_requests_total")]], 0, T + 10_000);
    expect(ex[0]!.exemplars).toEqual([{ labels: [{ name: "trace_id", value: "abc" }], t: T + 500, v: 1 }]);

    const v1 = encodeRemoteWriteBody({ timeseries: [{ labels: [{ name: "__name__", value: "v1" }], samples: [{ t: T, v: 1 }] }] });
    const r1 = await remoteWriteHandler(post(v1, { "content-type": "application/x-protobuf", "content-encoding": "snappy" }), storage, { maxBodyBytes: 1 << 20 });
    expect(r1.status).toBe(204);
  });

  it("answers 400 with what it wrote when some series cannot be stored", async () => {
    const storage = new MemoryStorage();
    const res = await remoteWriteHandler(
      post(
        encodeV2Body([
          { labels: [["job", "x"]], samples: [{ t: T, v: 1 }] },
          { labels: [["__name__", "ok"]], samples: [{ t: T, v: 1 }] },
        ]),
      ),
      storage,
      { maxBodyBytes: 1 << 20 },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('1 samples dropped: series without a metric name: {job="x"}\n');
    expect(writtenHeaders(res)).toEqual(["1", "0", "0"]);
  });

  it("refuses undecodable bodies whole, with zero written", async () => {
    const storage = new MemoryStorage();
    const res = await remoteWriteHandler(post(encodeV2Body([{ labels: [["__name__", "x"], ["a", "1"], ["a", "2"]], samples: [{ t: T, v: 1 }] }])), storage, { maxBodyBytes: 1 << 20 });
    expect([res.status, await res.text()]).toEqual([400, 'cannot decode remote write 2.0 request: timeseries 0: duplicate label name "a"\n']);
    expect(writtenHeaders(res)).toEqual(["0", "0", "0"]);
    expect((await storage.stats()).series).toBe(0);
  });
});
