import { labelsToRecord, type Label } from "../../../src/model/labels.js";
import { encodeReadRequest, type ReadQuery } from "../../../src/remote/read_request.js";
import { snappyCompress, snappyDecompress } from "../../../src/remote/snappy.js";
import { decodeWriteRequest, encodeRemoteWriteBody, type WriteRequestInput } from "../../../src/remote/write_request.js";
import { ProtoReader, WIRE_LEN } from "../../../src/encoding/protobuf.js";

export interface ReadSeries {
  labels: Record<string, string>;
  samples: { t: number; v: number }[];
}

/** Reads raw samples back through a tier's remote read endpoint. */
export async function remoteRead(baseUrl: string, query: ReadQuery): Promise<ReadSeries[]> {
  const res = await fetch(`${baseUrl}/api/v1/read`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", "x-prometheus-remote-read-version": "0.1.0" },
    body: snappyCompress(encodeReadRequest({ queries: [query], acceptedResponseTypes: [0] })),
  });
  if (!res.ok) throw new Error(`remote read: ${res.status} ${await res.text()}`);
  const body = snappyDecompress(new Uint8Array(await res.arrayBuffer()));
  const r = new ProtoReader(body);
  const out: ReadSeries[] = [];
  while (!r.eof()) {
    const key = r.tag();
    if (key !== ((1 << 3) | WIRE_LEN)) throw new Error(`unexpected field ${key} in ReadResponse`);
    const end = r.lengthEnd();
    // A QueryResult is laid out like a WriteRequest with only time series.
    for (const ts of decodeWriteRequest(body.subarray(r.pos, end)).timeseries) {
      out.push({ labels: labelsToRecord(ts.labels as Label[]), samples: ts.samples });
    }
    r.pos = end;
  }
  return out;
}

export async function remoteWrite(baseUrl: string, req: WriteRequestInput, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/api/v1/write`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", "x-prometheus-remote-write-version": "0.1.0", ...headers },
    body: encodeRemoteWriteBody(req),
  });
}
