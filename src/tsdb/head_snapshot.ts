import { ChunkEncoding } from "../chunkenc/histogram_chunk_base.js";
import type { HistogramEncoding } from "../chunkenc/histogram_chunks.js";
import { ByteReader, ByteWriter } from "./byte_io.js";

/**
 * Heads checkpointed in bulk: every series' open chunk and out-of-order buffer as of
 * one WAL sequence, packed many series per row (a Prometheus checkpoint, in rows).
 * Recovery loads the snapshot and replays only WAL rows after its sequence.
 */

export interface HeadEntry {
  id: number;
  head: Uint8Array | null;
  ooo: Uint8Array | null;
  /** The open native histogram chunk, and its encoding. */
  hist?: Uint8Array | null;
  histEnc?: HistogramEncoding;
}

export interface Snapshot {
  seq: number;
  /** Every series id below this was handed out, so none is reused after deletions. */
  nextSeriesId: number;
  entries: HeadEntry[];
}

/** Version 2 added the histogram head (a float histogram chunk), version 3 its
 * encoding; version 1 and 2 parts are still read. */
const VERSION = 3;
const PART_BYTES = 1 << 20;

/** Encodes the heads into parts of about PART_BYTES each. */
export function encodeSnapshot(nextSeriesId: number, entries: Iterable<HeadEntry>): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let w: ByteWriter | null = null;
  const start = () => {
    const nw = new ByteWriter(64 << 10);
    nw.uvarint(VERSION);
    nw.uvarint(nextSeriesId);
    return nw;
  };
  for (const e of entries) {
    if (e.head === null && e.ooo === null && (e.hist ?? null) === null) continue;
    w ??= start();
    w.uvarint(e.id);
    w.blob(e.head ?? EMPTY);
    w.blob(e.ooo ?? EMPTY);
    w.blob(e.hist ?? EMPTY);
    w.uvarint(e.histEnc ?? ChunkEncoding.FloatHistogram);
    if (w.len >= PART_BYTES) {
      parts.push(w.finish());
      w = null;
    }
  }
  if (w !== null || parts.length === 0) parts.push((w ?? start()).finish());
  return parts;
}

const EMPTY = new Uint8Array(0);

export function decodeSnapshotPart(data: Uint8Array, into: Snapshot): void {
  const r = new ByteReader(data);
  const version = r.uvarint();
  if (version < 1 || version > VERSION) throw new Error(`unknown head snapshot version ${version}`);
  into.nextSeriesId = Math.max(into.nextSeriesId, r.uvarint());
  while (!r.done) {
    const id = r.uvarint();
    const head = r.blob();
    const ooo = r.blob();
    const hist = version >= 2 ? r.blob() : EMPTY;
    const histEnc = version >= 3 ? r.uvarint() : ChunkEncoding.FloatHistogram;
    if (histEnc !== ChunkEncoding.FloatHistogram && histEnc !== ChunkEncoding.Histogram) throw new Error(`unknown histogram chunk encoding ${histEnc} in head snapshot`);
    into.entries.push({ id, head: head.byteLength > 0 ? head : null, ooo: ooo.byteLength > 0 ? ooo : null, ...(hist.byteLength > 0 ? { hist, histEnc } : {}) });
  }
}
