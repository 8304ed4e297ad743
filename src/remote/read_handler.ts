import { textResponse } from "../encoding/body.js";
import { newMatcher } from "../model/matchers.js";
import type { Storage } from "../storage/storage.js";
import { ProtobufError } from "../encoding/protobuf.js";
import { decodeReadRequest, encodeReadResponse } from "./read_request.js";
import { snappyCompress, snappyDecompress, SnappyError } from "./snappy.js";
import type { WriteRequestInput } from "./write_request.js";

/** Prometheus' --storage.remote.read-sample-limit default. */
export const DEFAULT_READ_SAMPLE_LIMIT = 50_000_000;

/** POST /api/v1/read: remote read 1.0 with the SAMPLES response type, so Prometheus
 * (remote_read) and other clients can read raw samples back out. */
export async function remoteReadHandler(req: Request, storage: Storage, sampleLimit = DEFAULT_READ_SAMPLE_LIMIT): Promise<Response> {
  let rr;
  try {
    rr = decodeReadRequest(snappyDecompress(new Uint8Array(await req.arrayBuffer())));
  } catch (e) {
    if (e instanceof SnappyError || e instanceof ProtobufError) return textResponse(400, `cannot decode remote read request: ${e.message}`);
    throw e;
  }
  if (rr.acceptedResponseTypes.length > 0 && !rr.acceptedResponseTypes.includes(0)) {
    return textResponse(400, "none of the accepted response types is supported: only SAMPLES is");
  }
  const results: WriteRequestInput["timeseries"][] = [];
  let samples = 0;
  for (const q of rr.queries) {
    let matchers;
    try {
      matchers = q.matchers.map((m) => newMatcher(m.type, m.name, m.value));
    } catch (e) {
      return textResponse(400, (e as Error).message);
    }
    const series: WriteRequestInput["timeseries"][number][] = [];
    for await (const s of storage.querier().select(matchers, { start: q.startMs, end: q.endMs })) {
      samples += s.ts.length;
      if (samples > sampleLimit) return textResponse(400, `exceeded sample limit (${sampleLimit})`);
      const out = [];
      for (let i = 0; i < s.ts.length; i++) out.push({ t: s.ts[i]!, v: s.vs[i]! });
      series.push({ labels: s.labels, samples: out });
    }
    results.push(series);
  }
  return new Response(snappyCompress(encodeReadResponse(results)), {
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
  });
}
