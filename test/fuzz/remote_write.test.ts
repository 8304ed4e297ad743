import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtobufError } from "../../src/encoding/protobuf.js";
import { snappyCompress, snappyDecompress, SnappyError } from "../../src/remote/snappy.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { V2_MESSAGE, writeMessage } from "../../src/remote/write_headers.js";
import { decodeWriteRequestV2 } from "../../src/remote/write_request_v2.js";
import { decodeRemoteWriteBody, decodeWriteRequest, encodeRemoteWriteBody, encodeWriteRequest, isRemoteDecodeError, type WriteRequestInput } from "../../src/remote/write_request.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { STALE_NAN } from "../../src/model/sample.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { apply, damage } from "./damage.js";
import { fuzz, fuzzAsync, fuzzTimeout } from "./fuzz_options.js";

/** Fuzzing remote write, the one write path open to any Prometheus on the network:
 * whatever arrives, the decoders throw only their own errors and the handler answers
 * 204 or a 4xx with a message, never a 5xx; a request refused whole leaves storage as
 * it was, and one refused in part keeps exactly the samples it did not name. */

function fail(msg: string): never {
  throw new Error(msg);
}

const MAX_BODY = 64 * 1024;

// ---- generators ------------------------------------------------------------------

const labelName = fc.oneof(fc.constantFrom("__name__", "job", "instance", "le", "a", "b", "é", "a.b", ""), fc.string({ maxLength: 6 }));
const labelValue = fc.oneof(fc.constantFrom("up", "x", "", "0.5", "+Inf", "é😀", "\n", "\u0000"), fc.string({ maxLength: 12 }));
const value = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, STALE_NAN));
const timestamp = fc.oneof(fc.integer({ min: 0, max: 2e12 }), fc.constantFrom(-1, 0, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER));

/** Requests as senders build them, including ones the receiver must refuse (empty or
 * repeated label names, samples out of order). */
const request: fc.Arbitrary<WriteRequestInput> = fc.record({
  timeseries: fc.array(
    fc.record({
      labels: fc.array(fc.record({ name: labelName, value: labelValue }), { maxLength: 5 }),
      samples: fc.array(fc.record({ t: timestamp, v: value }), { maxLength: 6 }),
      exemplars: fc.array(fc.record({ labels: fc.array(fc.record({ name: labelName, value: labelValue }), { maxLength: 2 }), t: timestamp, v: value }), { maxLength: 2 }),
    }),
    { maxLength: 6 },
  ),
  metadata: fc.array(
    fc.record({
      type: fc.constantFrom("counter", "gauge", "histogram", "summary", "unknown", "info", "stateset", "gaugehistogram") as fc.Arbitrary<"counter">,
      family: fc.string({ maxLength: 8 }),
      help: fc.string({ maxLength: 8 }),
      unit: fc.string({ maxLength: 4 }),
    }),
    { maxLength: 2 },
  ),
});

/** Headers as real senders and strays send them; most are acceptable. */
const headers = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Record<string, string>>({ "content-type": "application/x-protobuf", "content-encoding": "snappy" }) },
  { weight: 2, arbitrary: fc.constant<Record<string, string>>({}) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        "content-type": fc.constantFrom(
          "application/x-protobuf",
          "application/x-protobuf;proto=prometheus.WriteRequest",
          "application/x-protobuf;proto=io.prometheus.write.v2.Request",
          "application/x-protobuf;proto=yolo",
          "application/x-protobuf;charset",
          "application/json",
          "text/plain",
          "",
          "APPLICATION/X-PROTOBUF",
        ),
        "content-encoding": fc.constantFrom("snappy", "gzip", "zstd", "identity", "Snappy", ""),
      },
      { requiredKeys: [] },
    ),
  },
);

// ---- checks ------------------------------------------------------------------------

async function snapshot(st: MemoryStorage): Promise<string> {
  const s = await st.stats();
  return JSON.stringify([s.series, s.headSamples, s.samplesAppended, s.outOfOrderRejected, s.duplicateRejected]);
}

/** A store that already holds data, so a bad request has something to damage. */
async function seeded(): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  for (let t = 0; t < 10; t++) {
    app.append(labelsFromRecord({ __name__: "up", job: "x" }), t * 1000, 1);
    app.append(labelsFromRecord({ __name__: "x", a: "1" }), t * 1000, t);
  }
  await app.commit();
  return st;
}

/** Samples (and 2.0's histograms) in a body, read as the headers say it is. */
function samplesIn(body: Uint8Array, hs: Record<string, string>): number | undefined {
  try {
    const media = writeMessage(new Headers(hs));
    if ("message" in media && media.message === V2_MESSAGE) {
      return decodeWriteRequestV2(snappyDecompress(body, MAX_BODY * 4)).timeseries.reduce((n, ts) => n + ts.samples.length + ts.histograms.length, 0);
    }
    return decodeRemoteWriteBody(body, { maxDecodedBytes: MAX_BODY * 4 }).timeseries.reduce((n, ts) => n + ts.samples.length, 0);
  } catch {
    return undefined;
  }
}

async function post(body: Uint8Array, hs: Record<string, string>): Promise<void> {
  const st = await seeded();
  const before = await snapshot(st);
  const appendedBefore = (await st.stats()).samplesAppended;
  let res: Response;
  try {
    res = await remoteWriteHandler(new Request("http://region/api/v1/write", { method: "POST", body, headers: hs }), st, { maxBodyBytes: MAX_BODY });
  } catch (e) {
    fail(`the handler threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
  const msg = await res.text();
  const appended = (await st.stats()).samplesAppended - appendedBefore;
  if (res.status === 204) {
    // All stored, except repeats of a sample with the same value, which Prometheus
    // also takes as already stored.
    if (appended > (samplesIn(body, hs) ?? -1)) fail(`204 for ${samplesIn(body, hs)} samples, ${appended} stored`);
    return;
  }
  if (![400, 413, 415].includes(res.status)) fail(`answered ${res.status}: ${msg}`);
  if (msg.trim() === "") fail(`answered ${res.status} without a message`);
  const rejected = Number(/^(\d+) samples rejected: /m.exec(msg)?.[1] ?? 0);
  const unnamed = Number(/^(\d+) samples dropped: series without a metric name/m.exec(msg)?.[1] ?? 0);
  if (rejected + unnamed === 0 && !msg.includes("native histogram samples dropped")) {
    // Refused whole (bad media, too large, undecodable, over the limits): nothing of
    // it may have been stored.
    const after = await snapshot(st);
    if (after !== before) fail(`a ${res.status} (${msg.trim()}) changed storage: ${before} -> ${after}`);
    return;
  }
  // Refused in part: the rest of the request is stored (repeats of a stored sample
  // aside), the samples named are not.
  const total = samplesIn(body, hs);
  if (total === undefined) fail(`a body that does not decode was partly stored: ${msg}`);
  if (appended + rejected + unnamed > total) fail(`${total} samples sent, ${appended} stored, ${rejected} rejected, ${unnamed} dropped`);
}

describe("fuzzing the remote write decoders", () => {
  it("snappy decompression of random bytes throws only SnappyError, and never allocates past the cap", () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          const out = snappyDecompress(b, 4096);
          if (out.length > 4096) fail(`decoded ${out.length} bytes past the cap`);
        } catch (e) {
          if (!(e instanceof SnappyError)) throw e;
          if (e.message === "") fail("empty SnappyError");
        }
      }),
    );
  }, fuzzTimeout());

  it("snappy round-trips any bytes", () => {
    fuzz(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.constantFrom(0, 1, 97), { maxLength: 3000 }).map((a) => Uint8Array.from(a))), (b) => {
        expect(snappyDecompress(snappyCompress(b))).toEqual(b);
      }),
      3,
    );
  }, fuzzTimeout());

  it("WriteRequest decoding of random and damaged messages throws only the decode errors", () => {
    const message = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.tuple(request, fc.array(damage, { minLength: 1, maxLength: 3 })).map(([r, ds]) => apply(encodeWriteRequest(r), ds)),
    );
    fuzz(
      fc.property(message, (b) => {
        try {
          decodeWriteRequest(b);
        } catch (e) {
          if (!isRemoteDecodeError(e)) throw e;
          if (!(e instanceof ProtobufError) && e.name !== "InvalidWriteRequestError") fail(`unexpected ${e.name}`);
        }
      }),
    );
  }, fuzzTimeout());

  it("encoded requests decode back to what was sent", () => {
    fuzz(
      fc.property(request, (r) => {
        let got;
        try {
          got = decodeRemoteWriteBody(encodeRemoteWriteBody(r));
        } catch (e) {
          // Only the rules remote write adds on top of protobuf may refuse it.
          if (e instanceof Error && e.name === "InvalidWriteRequestError") return;
          throw e;
        }
        expect(got.timeseries.map((ts) => ts.samples.length)).toEqual(r.timeseries.map((ts) => ts.samples.length));
        got.timeseries.forEach((ts, i) => {
          ts.samples.forEach((s, j) => {
            const sent = r.timeseries[i]!.samples[j]!;
            expect(s.t).toBe(sent.t);
            expect(Object.is(s.v, sent.v) || (Number.isNaN(s.v) && Number.isNaN(sent.v))).toBe(true);
          });
        });
      }),
      2,
    );
  }, fuzzTimeout());
});

describe("fuzzing the remote write handler", () => {
  it("answers valid, damaged and random bodies with 204 or a 4xx with a message, storing nothing it refuses", async () => {
    const body = fc.oneof(
      { weight: 3, arbitrary: request.map(encodeRemoteWriteBody) },
      { weight: 4, arbitrary: fc.tuple(request, fc.array(damage, { minLength: 1, maxLength: 3 })).map(([r, ds]) => apply(encodeRemoteWriteBody(r), ds)) },
      { weight: 1, arbitrary: fc.tuple(request, fc.array(damage, { minLength: 1, maxLength: 3 })).map(([r, ds]) => snappyCompress(apply(encodeWriteRequest(r), ds))) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      { weight: 1, arbitrary: fc.integer({ min: MAX_BODY - 16, max: MAX_BODY + 16 }).map((n) => new Uint8Array(n).fill(7)) },
    );
    let stored = 0;
    await fuzzAsync(
      fc.asyncProperty(body, headers, async (b, hs) => {
        await post(b, hs);
        stored++;
      }),
      5,
    );
    expect(stored).toBeGreaterThan(0);
  }, fuzzTimeout());

  it("stores every sample of a valid request, in order per series, and answers 204", async () => {
    const series = fc
      .uniqueArray(fc.dictionary(fc.constantFrom("job", "instance", "a", "é"), fc.string({ minLength: 1, maxLength: 5 }), { maxKeys: 3 }), {
        maxLength: 5,
        selector: (d) => JSON.stringify(Object.entries(d).sort()),
      })
      .chain((sets) =>
        fc.tuple(...sets.map((labels, i) => fc.record({ labels: fc.constant({ ...labels, __name__: `m${i}` }), times: fc.uniqueArray(fc.integer({ min: 0, max: 1e12 }), { maxLength: 8 }), v: value }))),
      );
    await fuzzAsync(
      fc.asyncProperty(series, async (ss) => {
        const req: WriteRequestInput = {
          timeseries: ss.map((s) => ({
            labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
            samples: [...s.times].sort((a, b) => a - b).map((t) => ({ t, v: s.v })),
          })),
        };
        const st = new MemoryStorage();
        const res = await remoteWriteHandler(new Request("http://region/api/v1/write", { method: "POST", body: encodeRemoteWriteBody(req) }), st, { maxBodyBytes: MAX_BODY });
        expect(res.status).toBe(204);
        const stats = await st.stats();
        expect(stats.samplesAppended).toBe(ss.reduce((n, s) => n + s.times.length, 0));
        expect(stats.series).toBe(ss.filter((s) => s.times.length > 0).length);
      }),
      5,
    );
  }, fuzzTimeout());
});
