import fc from "fast-check";
import { describe, it } from "vitest";
import { snappyCompress } from "../../src/remote/snappy.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { isRemoteDecodeError } from "../../src/remote/write_request.js";
import { decodeWriteRequestV2 } from "../../src/remote/write_request_v2.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { encodeV2, V2_HEADERS, type V2Histogram, type V2Series } from "../remote/support/rw2_encoder.js";
import { apply, damage } from "./damage.js";
import { fuzz, fuzzAsync, fuzzTimeout } from "./fuzz_options.js";

/** Fuzzing remote write 2.0: requests as senders build them (valid or breaking the
 * spec) and damaged copies. The decoder throws only its own errors; the receiver
 * answers 204 or a 4xx with a message, its written headers never claim more than it
 * stored, and a request refused whole changes nothing. */

function fail(msg: string): never {
  throw new Error(msg);
}

const labelName = fc.constantFrom("__name__", "job", "a", "", "le");
const labelValue = fc.constantFrom("up", "x", "", "é");
const labels = fc.array(fc.tuple(labelName, labelValue), { maxLength: 4 });
const timestamp = fc.integer({ min: 0, max: 2e12 });

const histogram: fc.Arbitrary<V2Histogram> = fc
  .record({
    t: timestamp,
    schema: fc.oneof(fc.integer({ min: -5, max: 9 }), fc.constant(-53)),
    sum: fc.double({ noNaN: true }),
    n: fc.nat({ max: 4 }),
    offset: fc.integer({ min: -3, max: 3 }),
    counts: fc.array(fc.integer({ min: -2, max: 10 }), { maxLength: 5 }),
    float: fc.boolean(),
  })
  .map(({ t, schema, sum, n, offset, counts, float }) => {
    const positiveSpans = n === 0 ? [] : [{ offset, length: n }];
    const total = counts.reduce((a, b) => a + Math.abs(b), 0);
    return float
      ? { t, schema, sum, positiveSpans, customValues: schema === -53 ? [1, 2, 3] : undefined, float: { count: total, zeroCount: 0, positiveCounts: counts, negativeCounts: [] } }
      : { t, schema, sum, positiveSpans, customValues: schema === -53 ? [1, 2, 3] : undefined, int: { count: total, zeroCount: 0, positiveDeltas: counts, negativeDeltas: [] } };
  });

const series: fc.Arbitrary<V2Series[]> = fc.array(
  fc.record({
    labels,
    samples: fc.array(fc.record({ t: timestamp, v: fc.double() }), { maxLength: 3 }),
    histograms: fc.array(histogram, { maxLength: 2 }),
    exemplars: fc.array(fc.record({ labels, t: timestamp, v: fc.double() }), { maxLength: 1 }),
    metadata: fc.option(fc.record({ type: fc.nat({ max: 9 }), help: fc.string({ maxLength: 4 }), unit: fc.constantFrom("", "s") }), { nil: undefined }),
    createdTimestamp: fc.option(timestamp, { nil: undefined }),
  }),
  { maxLength: 4 },
);

async function snapshot(st: MemoryStorage): Promise<string> {
  const s = await st.stats();
  return JSON.stringify([s.series, s.headSamples, s.samplesAppended]);
}

describe("fuzzing remote write 2.0", () => {
  it("the decoder throws only its own errors on generated and damaged requests", () => {
    fuzz(
      fc.property(series, fc.array(damage, { maxLength: 3 }), (ss, ds) => {
        try {
          decodeWriteRequestV2(apply(encodeV2(ss), ds));
        } catch (e) {
          if (!isRemoteDecodeError(e)) throw e;
          if (e.message === "") fail("empty error");
        }
      }),
    );
  });

  it(
    "the receiver answers 204 or a 4xx with a message; what it says it wrote is stored; a refusal changes nothing",
    async () => {
      await fuzzAsync(
        fc.asyncProperty(series, fc.array(damage, { maxLength: 2 }), async (ss, ds) => {
          const body = snappyCompress(apply(encodeV2(ss), ds));
          const st = new MemoryStorage({ maxExemplars: 100 });
          const before = await snapshot(st);
          const res = await remoteWriteHandler(new Request("http://x/api/v1/write", { method: "POST", body, headers: V2_HEADERS }), st, { maxBodyBytes: 1 << 20 });
          const text = await res.text();
          const samples = Number(res.headers.get("X-Prometheus-Remote-Write-Samples-Written"));
          const histograms = Number(res.headers.get("X-Prometheus-Remote-Write-Histograms-Written"));
          const appended = (await st.stats()).samplesAppended;
          if (res.status !== 204 && res.status !== 400) fail(`answered ${res.status}: ${text}`);
          if (res.status === 400 && text.trim() === "") fail("400 without a message");
          // Repeats of a stored sample are taken as stored, so storage may count fewer.
          if (appended > samples + histograms) fail(`headers say ${samples}+${histograms} written, storage appended ${appended}`);
          if (/^(cannot decode|request rejected)/.test(text)) {
            if ((await snapshot(st)) !== before) fail(`a refusal (${text.trim()}) changed storage`);
            if (samples + histograms !== 0) fail("a refusal claims writes");
          }
        }),
        5,
      );
    },
    fuzzTimeout(),
  );
});
