import type { MatchType } from "../model/matchers.js";
import { ProtoReader, ProtobufError, ProtoWriter, WIRE_LEN, WIRE_VARINT } from "../encoding/protobuf.js";
import { encodeWriteRequest, type WriteRequestInput } from "./write_request.js";

/** Prometheus remote read 1.0 (`prometheus.ReadRequest` / `ReadResponse`, SAMPLES
 * response type). */

export interface ReadQuery {
  startMs: number;
  endMs: number;
  matchers: { type: MatchType; name: string; value: string }[];
}

export interface ReadRequest {
  queries: ReadQuery[];
  /** 0 = SAMPLES, 1 = STREAMED_XOR_CHUNKS. */
  acceptedResponseTypes: number[];
}

const MATCH_TYPES: MatchType[] = ["=", "!=", "=~", "!~"];

export function decodeReadRequest(buf: Uint8Array): ReadRequest {
  const r = new ProtoReader(buf);
  const out: ReadRequest = { queries: [], acceptedResponseTypes: [] };
  while (!r.eof()) {
    const key = r.tag();
    if (key === ((1 << 3) | WIRE_LEN)) {
      const end = r.lengthEnd();
      out.queries.push(readQuery(new ProtoReader(buf, r.pos, end)));
      r.pos = end;
    } else if (key === ((2 << 3) | WIRE_VARINT)) {
      out.acceptedResponseTypes.push(r.uint32());
    } else if (key === ((2 << 3) | WIRE_LEN)) {
      const end = r.lengthEnd();
      while (r.pos < end) out.acceptedResponseTypes.push(r.uint32());
    } else r.skip(key & 7, key >>> 3);
  }
  return out;
}

function readQuery(r: ProtoReader): ReadQuery {
  const q: ReadQuery = { startMs: 0, endMs: 0, matchers: [] };
  while (!r.eof()) {
    const key = r.tag();
    if (key === ((1 << 3) | WIRE_VARINT)) q.startMs = r.int64();
    else if (key === ((2 << 3) | WIRE_VARINT)) q.endMs = r.int64();
    else if (key === ((3 << 3) | WIRE_LEN)) {
      const end = r.lengthEnd();
      q.matchers.push(readMatcher(new ProtoReader(r.buf, r.pos, end)));
      r.pos = end;
    } else r.skip(key & 7, key >>> 3);
  }
  return q;
}

function readMatcher(r: ProtoReader): ReadQuery["matchers"][number] {
  let type = 0;
  let name = "";
  let value = "";
  while (!r.eof()) {
    const key = r.tag();
    if (key === ((1 << 3) | WIRE_VARINT)) type = r.uint32();
    else if (key === ((2 << 3) | WIRE_LEN)) name = r.string();
    else if (key === ((3 << 3) | WIRE_LEN)) value = r.string();
    else r.skip(key & 7, key >>> 3);
  }
  const t = MATCH_TYPES[type];
  if (t === undefined) throw new ProtobufError(`unknown label matcher type ${type}`);
  return { type: t, name, value };
}

/** A QueryResult has the same layout as a WriteRequest holding only time series
 * (both put repeated TimeSeries in field 1), so the write encoder serves for both. */
export function encodeReadResponse(results: WriteRequestInput["timeseries"][]): Uint8Array {
  const w = new ProtoWriter();
  for (const ts of results) {
    const body = encodeWriteRequest({ timeseries: ts });
    w.tag(1, WIRE_LEN);
    w.uint32(body.byteLength);
    w.raw(body);
  }
  return w.finish();
}

/** The write encoder's inverse for tests and clients: ReadRequest bytes. */
export function encodeReadRequest(req: ReadRequest): Uint8Array {
  const w = new ProtoWriter();
  for (const q of req.queries) {
    const qw = new ProtoWriter();
    qw.tag(1, WIRE_VARINT);
    qw.int64(q.startMs);
    qw.tag(2, WIRE_VARINT);
    qw.int64(q.endMs);
    for (const m of q.matchers) {
      const mw = new ProtoWriter();
      mw.tag(1, WIRE_VARINT);
      mw.uint32(MATCH_TYPES.indexOf(m.type));
      mw.tag(2, WIRE_LEN);
      mw.string(m.name);
      mw.tag(3, WIRE_LEN);
      mw.string(m.value);
      const mb = mw.finish();
      qw.tag(3, WIRE_LEN);
      qw.uint32(mb.byteLength);
      qw.raw(mb);
    }
    const qb = qw.finish();
    w.tag(1, WIRE_LEN);
    w.uint32(qb.byteLength);
    w.raw(qb);
  }
  for (const t of req.acceptedResponseTypes) {
    w.tag(2, WIRE_VARINT);
    w.uint32(t);
  }
  return w.finish();
}
