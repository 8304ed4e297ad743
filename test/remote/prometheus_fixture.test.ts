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
