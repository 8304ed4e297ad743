import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  InvalidWriteRequestError,
  type WriteRequestInput,
  decodeRemoteWriteBody,
  decodeWriteRequest,
  encodeRemoteWriteBody,
  encodeWriteRequest,
  isRemoteDecodeError,
  sortedLabels,
} from "../../src/remote/write_request.js";
import { ProtoWriter, ProtobufError, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../../src/encoding/protobuf.js";
import { SnappyError, snappyCompress } from "../../src/remote/snappy.js";
import { STALE_NAN, isStaleNaN } from "../../src/model/sample.js";
import type { MetricType } from "../../src/model/metadata.js";
import { holds } from "../support/property.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ""), "hex"));
const dv = new DataView(new ArrayBuffer(8));
function bitsOf(v: number): string {
  dv.setFloat64(0, v);
  return dv.getUint32(0).toString(16) + ":" + dv.getUint32(4).toString(16);
}

// up{} 1 @ 1000, written out field by field:
//   0a 1e                         WriteRequest.timeseries, 30 bytes
//     0a 0e                       TimeSeries.labels, 14 bytes
//       0a 08 5f5f6e616d655f5f      Label.name "__name__"
//       12 02 7570                  Label.value "up"
//     12 0c                       TimeSeries.samples, 12 bytes
//       09 000000000000f03f         Sample.value 1.0 (fixed64, little-endian)
//       10 e807                     Sample.timestamp 1000
const UP = "0a1e 0a0e 0a085f5f6e616d655f5f 12027570 120c 09000000000000f03f 10e807";

describe("WriteRequest known bytes", () => {
  it("decodes a hand-assembled request", () => {
    const req = decodeWriteRequest(fromHex(UP));
    expect(req).toEqual({
      timeseries: [
        { labels: [{ name: "__name__", value: "up" }], samples: [{ t: 1000, v: 1 }], exemplars: [], histograms: [] },
      ],
      metadata: [],
    });
  });

  it("encodes to the same bytes", () => {
    const bytes = encodeWriteRequest({
      timeseries: [{ labels: [{ name: "__name__", value: "up" }], samples: [{ t: 1000, v: 1 }] }],
    });
    expect(hex(bytes)).toBe(UP.replace(/\s+/g, ""));
  });

  it("an empty body is an empty request", () => {
    expect(decodeWriteRequest(new Uint8Array(0))).toEqual({ timeseries: [], metadata: [] });
    expect(encodeWriteRequest({ timeseries: [] }).length).toBe(0);
  });

  it("omitted fields take proto3 defaults", () => {
    // A series with label a="" (value written as an empty string) and an empty Sample
    // message: value 0 at t=0.
    const req = decodeWriteRequest(fromHex("0a09 0a05 0a0161 1200 1200"));
    expect(req.timeseries[0]!.labels).toEqual([{ name: "a", value: "" }]);
    expect(req.timeseries[0]!.samples).toEqual([{ t: 0, v: 0 }]);
  });
});

describe("WriteRequest decoding details", () => {
  it("negative and large timestamps", () => {
    const samples = [
      { t: -1, v: 1 },
      { t: -1_700_000_000_000, v: 2 },
      { t: Number.MIN_SAFE_INTEGER, v: 3 },
      { t: Number.MAX_SAFE_INTEGER, v: 4 },
      { t: 0, v: 5 },
    ];
    const req = decodeWriteRequest(encodeWriteRequest({ timeseries: [{ labels: [{ name: "a", value: "b" }], samples }] }));
    expect(req.timeseries[0]!.samples).toEqual(samples);
  });

  it("timestamps outside the safe range are errors, not rounded", () => {
    // TimeSeries{labels: [{name: "a"}], samples: [{timestamp: 2^60}]}
    expect(() => decodeWriteRequest(fromHex("0a11 0a03 0a0161 120a 10 808080808080808010"))).toThrow(
      /outside the safe integer range/,
    );
    expect(() => encodeWriteRequest({ timeseries: [{ labels: [], samples: [{ t: 2 ** 60, v: 1 }] }] })).toThrow(
      RangeError,
    );
  });

  it("special values keep their bits: stale NaN, NaN, -0, infinities", () => {
    const values = [STALE_NAN, NaN, -0, Infinity, -Infinity, Number.MIN_VALUE];
    const bits = values.map(bitsOf);
    const samples = values.map((v, i) => ({ t: i + 1, v }));
    const req = decodeWriteRequest(encodeWriteRequest({ timeseries: [{ labels: [{ name: "a", value: "b" }], samples }] }));
    expect(req.timeseries[0]!.samples.map((s) => bitsOf(s.v))).toEqual(bits);
    expect(isStaleNaN(req.timeseries[0]!.samples[0]!.v)).toBe(true);
  });

  it("skips unknown fields at every level", () => {
    const unknowns = (w: ProtoWriter) => {
      w.tag(15, WIRE_VARINT);
      w.int64(-3);
      w.tag(16, WIRE_FIXED64);
      w.double(2);
      w.tag(17, WIRE_LEN);
      w.string("ignored");
      w.tag(18, WIRE_FIXED32);
      w.fixed32(7);
      w.raw(fromHex("9b01 0801 9c01")); // group 19 { 1: 1 }
    };
    const sub = (f: (w: ProtoWriter) => void) => {
      const w = new ProtoWriter();
      f(w);
      return w.finish().slice();
    };
    const label = sub((w) => {
      unknowns(w);
      w.tag(1, WIRE_LEN);
      w.string("job");
      unknowns(w);
      w.tag(2, WIRE_LEN);
      w.string("node");
    });
    const sample = sub((w) => {
      w.tag(2, WIRE_VARINT);
      w.int64(-5);
      unknowns(w);
      w.tag(1, WIRE_FIXED64);
      w.double(0.25);
    });
    const series = sub((w) => {
      unknowns(w);
      w.tag(1, WIRE_LEN);
      w.uint32(label.length);
      w.raw(label);
      w.tag(5, WIRE_LEN); // a future TimeSeries field
      w.uint32(2);
      w.raw(fromHex("0801"));
      w.tag(2, WIRE_LEN);
      w.uint32(sample.length);
      w.raw(sample);
    });
    const metadata = sub((w) => {
      w.tag(1, WIRE_VARINT);
      w.uint32(2);
      unknowns(w);
      w.tag(2, WIRE_LEN);
      w.string("node_load1");
      w.tag(3, WIRE_LEN); // field 3 is not used by MetricMetadata
      w.string("x");
    });
    const body = sub((w) => {
      unknowns(w);
      w.tag(1, WIRE_LEN);
      w.uint32(series.length);
      w.raw(series);
      w.tag(2, WIRE_LEN); // reserved field 2
      w.uint32(0);
      w.tag(3, WIRE_LEN);
      w.uint32(metadata.length);
      w.raw(metadata);
      unknowns(w);
    });
    expect(decodeWriteRequest(body)).toEqual({
      timeseries: [
        { labels: [{ name: "job", value: "node" }], samples: [{ t: -5, v: 0.25 }], exemplars: [], histograms: [] },
      ],
      metadata: [{ type: "gauge", family: "node_load1", help: "", unit: "" }],
    });
  });

  it("a known field with the wrong wire type is an error", () => {
    // Sample.value sent as a varint
    expect(() => decodeWriteRequest(fromHex("0a09 0a03 0a0161 1202 0801"))).toThrow(/unexpected wire type/);
    // WriteRequest.timeseries sent as a varint
    expect(() => decodeWriteRequest(fromHex("0801"))).toThrow(/unexpected wire type/);
  });

  it("decodes hand-assembled integer histograms next to exemplars", () => {
    const bytes = encodeWriteRequest({
      timeseries: [
        {
          labels: [{ name: "__name__", value: "http_requests_total" }],
          samples: [{ t: 10, v: 3 }],
          exemplars: [{ labels: [{ name: "trace_id", value: "abc123" }], t: 9, v: 0.5 }],
        },
      ],
    });
    // Histogram: count_int 5, sum 12.5, schema 1 (zigzag 2), zero_threshold 0.001,
    // zero_count_int 1, positive spans {0,2} {1,1}, deltas [2,-1,0] packed (zigzag
    // 4,1,0), reset_hint NO, timestamp 1000; then one with count_int 1 unpacked.
    const h1 = fromHex(
      "0805 19 0000000000002940 2002 29 fca9f1d24d62503f 3001 5a02 1002 5a04 0802 1001 6203 040100 7002 78e807",
    );
    const h2 = fromHex("0801 5a02 1001 6002 7814");
    const extra = new ProtoWriter();
    for (const h of [h1, h2]) {
      extra.tag(4, WIRE_LEN);
      extra.uint32(h.length);
      extra.raw(h);
    }
    const series = bytes.subarray(2);
    const tail = extra.finish();
    const w = new ProtoWriter();
    w.tag(1, WIRE_LEN);
    w.uint32(series.length + tail.length);
    w.raw(series);
    w.raw(tail);
    const ts = decodeWriteRequest(w.finish()).timeseries[0]!;
    expect(ts.samples).toEqual([{ t: 10, v: 3 }]);
    expect(ts.exemplars).toEqual([{ labels: [{ name: "trace_id", value: "abc123" }], t: 9, v: 0.5 }]);
    expect(ts.histograms.map((x) => [x.t, x.integer, x.h.toString(), x.h.counterResetHint])).toEqual([
      [1000, true, "{count:5, sum:12.5, [-0.001,0.001]:1, (0.7071067811865476,1]:2, (1,1.4142135623730951]:1, (2,2.8284271247461903]:1}", 2],
      [20, true, "{count:1, sum:0, (0.5,1]:1}", 0],
    ]);
  });

  it("refuses malformed histograms with clear errors", () => {
    const wrap = (h: string) => {
      const hb = fromHex(h);
      const w = new ProtoWriter();
      w.tag(1, WIRE_LEN);
      w.uint32(hb.length + 2);
      w.tag(4, WIRE_LEN);
      w.uint32(hb.length);
      w.raw(hb);
      return w.finish();
    };
    // count_float sent as a varint
    expect(() => decodeWriteRequest(wrap("1001"))).toThrow(/histogram field 2 has unexpected wire type 0/);
    // both deltas and counts on the positive side
    expect(() => decodeWriteRequest(wrap("6001 69 000000000000f03f"))).toThrow(/positive buckets are given both as integer deltas and as float counts/);
    // reset hint 7
    expect(() => decodeWriteRequest(wrap("7007"))).toThrow(/unknown histogram reset hint 7/);
    // packed doubles cut short
    expect(() => decodeWriteRequest(wrap("6a03 000000"))).toThrow(/not a multiple of 8/);
  });

  it("metadata types map to the model's names", () => {
    const types: MetricType[] = ["unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"];
    const metadata = types.map((type, i) => ({ type, family: `m${i}`, help: `help ${i} ü`, unit: i % 2 ? "seconds" : "" }));
    expect(decodeWriteRequest(encodeWriteRequest({ timeseries: [], metadata })).metadata).toEqual(metadata);
    // Unknown enum values (and negative ones) read as "unknown".
    expect(decodeWriteRequest(fromHex("1a02 0863")).metadata[0]!.type).toBe("unknown");
    expect(decodeWriteRequest(fromHex("1a0b 08ffffffffffffffffff01")).metadata[0]!.type).toBe("unknown");
  });
});

describe("WriteRequest validation", () => {
  const enc = (labels: Array<{ name: string; value: string }>) =>
    encodeWriteRequest({ timeseries: [{ labels, samples: [{ t: 1, v: 1 }] }] });

  it("rejects empty label names", () => {
    expect(() => decodeWriteRequest(enc([{ name: "", value: "x" }]))).toThrow(InvalidWriteRequestError);
  });

  it("rejects duplicate label names, in short and long label sets", () => {
    expect(() =>
      decodeWriteRequest(
        enc([
          { name: "a", value: "1" },
          { name: "b", value: "2" },
          { name: "a", value: "3" },
        ]),
      ),
    ).toThrow(/duplicate label name "a"/);
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `l${i}`, value: "v" }));
    expect(() => decodeWriteRequest(enc(many))).not.toThrow();
    expect(() => decodeWriteRequest(enc([...many, { name: "l7", value: "w" }]))).toThrow(/duplicate/);
  });

  it("leaves labels in wire order; sortedLabels sorts and drops empty values", () => {
    const req = decodeWriteRequest(
      enc([
        { name: "job", value: "node" },
        { name: "__name__", value: "up" },
        { name: "empty", value: "" },
        { name: "instance", value: "h:9100" },
      ]),
    );
    const labels = req.timeseries[0]!.labels;
    expect(labels.map((l) => l.name)).toEqual(["job", "__name__", "empty", "instance"]);
    expect(sortedLabels(labels)).toEqual([
      { name: "__name__", value: "up" },
      { name: "instance", value: "h:9100" },
      { name: "job", value: "node" },
    ]);
    // The decoded array is not reordered by the helper.
    expect(labels[0]!.name).toBe("job");
  });
});

describe("WriteRequest robustness", () => {
  const sample = encodeWriteRequest({
    timeseries: [
      {
        labels: [
          { name: "__name__", value: "node_cpu_seconds_total" },
          { name: "cpu", value: "0" },
        ],
        samples: [
          { t: 1_700_000_000_000, v: 1234.5 },
          { t: -1, v: -0 },
        ],
      },
      { labels: [{ name: "__name__", value: "up" }], samples: [{ t: 5, v: 1 }] },
    ],
    metadata: [{ type: "counter", family: "node_cpu_seconds_total", help: "Seconds.", unit: "" }],
  }).slice();

  it("truncations inside a message are ProtobufErrors", () => {
    const firstLen = 2 + sample[1]!;
    for (let len = 1; len < sample.length; len++) {
      const cut = sample.subarray(0, len);
      if (len < firstLen) {
        expect(() => decodeWriteRequest(cut)).toThrow(ProtobufError);
      } else {
        try {
          decodeWriteRequest(cut);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtobufError);
        }
      }
    }
  });

  it("random bytes fail only with decode errors", () => {
    holds(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeWriteRequest(bytes);
        } catch (e) {
          expect(isRemoteDecodeError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("mutated valid requests fail only with decode errors", () => {
    holds(
      fc.property(fc.nat(sample.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = sample.slice();
        bad[i]! ^= x;
        try {
          decodeWriteRequest(bad);
        } catch (e) {
          expect(isRemoteDecodeError(e)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/);
const requestArb: fc.Arbitrary<WriteRequestInput> = fc.record({
  timeseries: fc.array(
    fc.record({
      labels: fc
        .uniqueArray(labelName, { maxLength: 8 })
        .chain((names) =>
          fc.tuple(...names.map((name) => fc.string({ unit: "grapheme", minLength: 1 }).map((value) => ({ name, value })))),
        ),
      samples: fc.array(
        fc.record({ t: fc.maxSafeInteger(), v: fc.double() }),
        { maxLength: 10 },
      ),
    }),
    { maxLength: 10 },
  ),
  metadata: fc.array(
    fc.record({
      type: fc.constantFrom<MetricType>("unknown", "counter", "gauge", "summary", "histogram"),
      family: fc.string(),
      help: fc.string({ unit: "grapheme" }),
      unit: fc.string(),
    }),
    { maxLength: 3 },
  ),
});

describe("WriteRequest round trips (property)", () => {
  it("decode(encode(x)) == x", () => {
    holds(
      fc.property(requestArb, (req) => {
        const got = decodeWriteRequest(encodeWriteRequest(req));
        expect(got.metadata).toEqual(req.metadata);
        expect(got.timeseries.length).toBe(req.timeseries.length);
        got.timeseries.forEach((ts, i) => {
          const want = req.timeseries[i]!;
          expect(ts.labels).toEqual(want.labels);
          expect(ts.samples.map((s) => [s.t, bitsOf(s.v)])).toEqual(want.samples.map((s) => [s.t, bitsOf(s.v)]));
          expect(ts.histograms).toEqual([]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("through snappy as an HTTP body", () => {
    holds(
      fc.property(requestArb, (req) => {
        const body = encodeRemoteWriteBody(req);
        expect(decodeRemoteWriteBody(body)).toEqual(decodeWriteRequest(encodeWriteRequest(req)));
      }),
      { numRuns: 100 },
    );
  });
});

describe("remote write bodies", () => {
  it("enforce the decompressed size limit", () => {
    const req = {
      timeseries: Array.from({ length: 100 }, (_, i) => ({
        labels: [{ name: "__name__", value: `m${i}` }],
        samples: [{ t: i, v: i }],
      })),
    };
    const raw = encodeWriteRequest(req);
    const body = encodeRemoteWriteBody(req);
    expect(() => decodeRemoteWriteBody(body, { maxDecodedBytes: raw.length - 1 })).toThrow(SnappyError);
    expect(decodeRemoteWriteBody(body, { maxDecodedBytes: raw.length }).timeseries.length).toBe(100);
  });

  it("a body that is not snappy is a decode error", () => {
    let err: unknown;
    try {
      decodeRemoteWriteBody(fromHex(UP));
    } catch (e) {
      err = e;
    }
    expect(isRemoteDecodeError(err)).toBe(true);
    expect(decodeRemoteWriteBody(snappyCompress(fromHex(UP))).timeseries.length).toBe(1);
  });
});
