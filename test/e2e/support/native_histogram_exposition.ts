import { createServer, type Server } from "node:http";
import { ByteReader } from "../../../src/tsdb/byte_io.js";
import { ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from "../../../src/encoding/protobuf.js";
import type { FloatHistogram, Span } from "../../../src/model/histogram.js";
import { freePort } from "./processes.js";

/**
 * A scrape target serving native histograms in the delimited protobuf exposition
 * format (client_model's MetricFamily, HISTOGRAM type, integer counts), as Go client
 * libraries do; Prometheus scrapes it when started with native histograms enabled.
 * `families(k)` answers the k-th scrape.
 */

export interface ServedHistogram {
  name: string;
  labels: Record<string, string>;
  h: FloatHistogram;
}

const zigzag = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);

function nested(w: ProtoWriter, field: number, bytes: Uint8Array): void {
  w.tag(field, WIRE_LEN);
  w.uint32(bytes.length);
  w.raw(bytes);
}

function spansAndDeltas(w: ProtoWriter, spanField: number, deltaField: number, spans: readonly Span[], counts: readonly number[]): void {
  for (const s of spans) {
    const sw = new ProtoWriter(16);
    sw.tag(1, WIRE_VARINT);
    sw.uint64(zigzag(s.offset));
    sw.tag(2, WIRE_VARINT);
    sw.uint32(s.length);
    nested(w, spanField, sw.finish());
  }
  if (counts.length === 0) return;
  const dw = new ProtoWriter(16);
  let prev = 0;
  for (const c of counts) {
    dw.uint64(zigzag(c - prev));
    prev = c;
  }
  nested(w, deltaField, dw.finish());
}

function histogramBytes(h: FloatHistogram): Uint8Array {
  const w = new ProtoWriter(128);
  w.tag(1, WIRE_VARINT);
  w.uint64(h.count);
  w.tag(2, WIRE_FIXED64);
  w.double(h.sum);
  w.tag(5, WIRE_VARINT);
  w.uint64(zigzag(h.schema));
  w.tag(6, WIRE_FIXED64);
  w.double(h.zeroThreshold);
  w.tag(7, WIRE_VARINT);
  w.uint64(h.zeroCount);
  spansAndDeltas(w, 9, 10, h.negativeSpans, h.negativeBuckets);
  spansAndDeltas(w, 12, 13, h.positiveSpans, h.positiveBuckets);
  return w.finish();
}

export function encodeNativeHistograms(list: readonly ServedHistogram[]): Uint8Array {
  const out = new ProtoWriter(1024);
  for (const s of list) {
    const f = new ProtoWriter(256);
    f.tag(1, WIRE_LEN);
    f.string(s.name);
    f.tag(3, WIRE_VARINT);
    f.uint32(4); // HISTOGRAM
    const m = new ProtoWriter(256);
    for (const [name, value] of Object.entries(s.labels)) {
      const l = new ProtoWriter(32);
      l.tag(1, WIRE_LEN);
      l.string(name);
      l.tag(2, WIRE_LEN);
      l.string(value);
      nested(m, 1, l.finish());
    }
    nested(m, 7, histogramBytes(s.h));
    nested(f, 4, m.finish());
    const msg = f.finish();
    out.uint32(msg.length);
    out.raw(msg);
  }
  return out.finish();
}

export interface Exposition {
  url: string;
  /** Scrapes answered so far. */
  scrapes(): number;
  stop(): Promise<void>;
}

export async function serveNativeHistograms(families: (k: number) => ServedHistogram[]): Promise<Exposition> {
  let k = 0;
  const server: Server = createServer((_req, res) => {
    const body = encodeNativeHistograms(families(k++));
    res.writeHead(200, { "Content-Type": "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited" });
    res.end(Buffer.from(body));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `127.0.0.1:${port}`,
    scrapes: () => k,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A chunk of Prometheus' chunks_head/ files (tsdb/docs/format/head_chunks.md). */
export interface HeadChunk {
  seriesRef: bigint;
  minT: number;
  maxT: number;
  encoding: number;
  data: Uint8Array;
}

/** Reads one head chunks file: magic, version, padding, then per chunk series ref,
 * mint, maxt (8 bytes each, big-endian), encoding byte, uvarint length, data, CRC32. */
export function readHeadChunks(file: Uint8Array): HeadChunk[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 8 || v.getUint32(0) !== 0x0130bc91) throw new Error("not a head chunks file");
  const out: HeadChunk[] = [];
  let p = 8;
  // A file is preallocated and zero-filled past its last chunk.
  while (p + 25 <= file.length) {
    const seriesRef = v.getBigUint64(p);
    const minT = Number(v.getBigInt64(p + 8));
    const maxT = Number(v.getBigInt64(p + 16));
    const encoding = file[p + 24]!;
    if (encoding === 0) break;
    const r = new ByteReader(file);
    r.pos = p + 25;
    const len = r.uvarint();
    out.push({ seriesRef, minT, maxT, encoding, data: r.bytes(len).slice() });
    p = r.pos + 4;
  }
  return out;
}
