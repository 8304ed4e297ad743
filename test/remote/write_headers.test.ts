import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import { writeMessage } from "../../src/remote/write_headers.js";
import { remoteWriteHandler } from "../../src/remote/write_handler.js";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";

// Found by test/fuzz/remote_write.test.ts: the receiver ignored Content-Type and
// Content-Encoding, so a remote write 2.0 body (whose fields 1.0 does not know) was
// decoded as an empty 1.0 request and answered 204 with nothing stored, and a gzip
// body got a snappy error. Prometheus answers unknown media with 415; 2.0 now has its
// own decoder (write_request_v2.test.ts).
describe("remote write media types", () => {
  const body = encodeRemoteWriteBody({ timeseries: [{ labels: [{ name: "__name__", value: "up" }], samples: [{ t: 1000, v: 1 }] }] });
  const post = (headers: Record<string, string>) => new Request("http://x/api/v1/write", { method: "POST", body, headers });

  it("accepts remote write 1.0 with or without its headers", async () => {
    const variants: Record<string, string>[] = [
      {},
      { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
      { "content-type": "application/x-protobuf;proto=prometheus.WriteRequest" },
    ];
    for (const headers of variants) {
      const storage = new MemoryStorage();
      expect((await remoteWriteHandler(post(headers), storage, { maxBodyBytes: 1 << 20 })).status).toBe(204);
      expect((await storage.stats()).samplesAppended).toBe(1);
    }
  });

  it("refuses other media with 415 and Prometheus' message, storing nothing", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ "content-encoding": "gzip" }, "gzip encoding (compression) is not accepted by this server; only snappy is acceptable"],
      [{ "content-type": "application/json" }, "expected application/x-protobuf as the first (media) part, got application/json content-type"],
      [
        { "content-type": "application/x-protobuf;proto=yolo" },
        "got application/x-protobuf;proto=yolo content type; unknown type for remote write protobuf message yolo, supported: prometheus.WriteRequest, io.prometheus.write.v2.Request",
      ],
      [
        { "content-type": "application/x-protobuf;charset" },
        "as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected parameters to be key-values, got charset in application/x-protobuf;charset content-type",
      ],
    ];
    for (const [headers, message] of cases) {
      const storage = new MemoryStorage();
      const res = await remoteWriteHandler(post(headers), storage, { maxBodyBytes: 1 << 20 });
      expect([res.status, await res.text()]).toEqual([415, message + "\n"]);
      expect((await storage.stats()).series).toBe(0);
    }
  });

  it("reads parameters as Prometheus does: only an exact proto= key names the message", () => {
    // " proto=" is not "proto=": the body is read as 1.0, the default.
    expect(writeMessage(new Headers({ "content-type": "application/x-protobuf; proto=io.prometheus.write.v2.Request" }))).toEqual({ message: "prometheus.WriteRequest" });
    expect(writeMessage(new Headers({ "content-type": "application/x-protobuf;proto=io.prometheus.write.v2.Request" }))).toEqual({ message: "io.prometheus.write.v2.Request" });
    expect(writeMessage(new Headers({ "content-type": "Application/X-Protobuf" }))).toEqual({ unsupported: expect.stringMatching(/^expected application\/x-protobuf/) });
  });
});
