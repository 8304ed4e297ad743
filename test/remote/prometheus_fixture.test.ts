import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import {
  decodeRemoteWriteBody,
  decodeWriteRequest,
  encodeWriteRequest,
  sortedLabels,
} from "../../src/remote/write_request.js";
import { snappyCompress, snappyDecompress } from "../../src/remote/snappy.js";

// Bodies a real Prometheus 2.42 (Debian) POSTed to a remote write receiver while
// scraping itself: one batch of 500 samples, one batch of metadata.
const load = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const samplesBody = load("prometheus-2.42-samples.snappy");
const metadataBody = load("prometheus-2.42-metadata.snappy");

describe("remote write bodies sent by Prometheus 2.42", () => {
  it("decode a sample batch", () => {
    const req = decodeRemoteWriteBody(samplesBody);
    expect(req.timeseries.length).toBe(500);
    expect(req.metadata.length).toBe(0);
    const t0 = req.timeseries[0]!.samples[0]!.t;
    for (const ts of req.timeseries) {
      expect(ts.samples.length).toBe(1);
      expect(ts.histograms).toEqual([]);
      // Prometheus sends its label sets sorted.
      expect(ts.labels).toEqual([...sortedLabels(ts.labels)]);
      expect(ts.labels.find((l) => l.name === "job")?.value).toBe("prometheus");
      expect(Math.abs(ts.samples[0]!.t - t0)).toBeLessThan(60_000);
    }
    const up = req.timeseries.find((ts) => ts.labels.some((l) => l.name === "__name__" && l.value === "up"));
    expect(up?.samples[0]?.v).toBe(1);
  });

  it("decode a metadata batch", () => {
    const req = decodeRemoteWriteBody(metadataBody);
    expect(req.timeseries.length).toBe(0);
    expect(req.metadata.length).toBeGreaterThan(100);
    const types = new Set(req.metadata.map((m) => m.type));
    expect(types).toContain("counter");
    expect(types).toContain("gauge");
    const up = req.metadata.find((m) => m.family === "prometheus_tsdb_head_truncations_failed_total");
    expect(up).toEqual({
      type: "counter",
      family: "prometheus_tsdb_head_truncations_failed_total",
      help: "Total number of head truncations that failed.",
      unit: "",
    });
  });

  it("our encoder reproduces Prometheus' protobuf bytes exactly", () => {
    for (const body of [samplesBody, metadataBody]) {
      const raw = snappyDecompress(body);
      const again = encodeWriteRequest(decodeWriteRequest(raw));
      expect(Buffer.compare(again, raw)).toBe(0);
    }
  });

  it("our snappy round-trips the decompressed bodies", () => {
    for (const body of [samplesBody, metadataBody]) {
      const raw = snappyDecompress(body);
      const c = snappyCompress(raw);
      expect(Buffer.compare(snappyDecompress(c), raw)).toBe(0);
      // Within a few percent of Go's snappy encoder.
      expect(c.length).toBeLessThan(body.length * 1.15);
    }
  });
});

// A batch Prometheus 2.42 (--enable-feature=native-histograms, send_native_histograms)
// sent while scraping a protobuf target with two native histograms: schema 1, zero
// threshold 0.001, one negative bucket, positive spans {-1,2} {2,1}, integer counts
// n, n | n, 2n, 3n with n = 5 and 15 (count 8n, sum 3.5n).
describe("native histograms remote-written by Prometheus 2.42", () => {
  it("decode as integer histograms with their spans, zero bucket and timestamps", () => {
    const req = decodeRemoteWriteBody(load("prometheus-2.42-native-histograms.snappy"));
    const hs = req.timeseries.filter((ts) => ts.histograms.length > 0);
    expect(hs.map((ts) => sortedLabels(ts.labels).find((l) => l.name === "path")?.value).sort()).toEqual(["/a", "/b"]);
    for (const ts of hs) {
      const n = sortedLabels(ts.labels).find((l) => l.name === "path")?.value === "/a" ? 5 : 15;
      for (const x of ts.histograms) {
        expect(x.integer).toBe(true);
        expect(Number.isSafeInteger(x.t) && x.t > 1.7e12).toBe(true);
        expect({ ...x.h }).toEqual({
          counterResetHint: x.h.counterResetHint,
          schema: 1,
          zeroThreshold: 0.001,
          zeroCount: n,
          count: 8 * n,
          sum: 3.5 * n,
          positiveSpans: [
            { offset: -1, length: 2 },
            { offset: 2, length: 1 },
          ],
          negativeSpans: [{ offset: 0, length: 1 }],
          positiveBuckets: [n, 2 * n, 3 * n],
          negativeBuckets: [n],
          customValues: null,
          integer: true,
        });
      }
    }
    // Re-encoded, they decode to the same histograms.
    const again = decodeWriteRequest(encodeWriteRequest(req));
    expect(again.timeseries.map((ts) => ts.histograms)).toEqual(req.timeseries.map((ts) => ts.histograms));
  });
});
