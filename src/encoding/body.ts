/**
 * Reads a request body into memory, giving up (null) as soon as it exceeds `limit`
 * bytes, so an oversized upload costs at most `limit` bytes of memory whatever its
 * declared length. `gunzip` decodes a `Content-Encoding: gzip` body on the way, and
 * the limit then applies to the decoded bytes (no gzip bombs).
 */
export async function readBodyLimited(req: Request, limit: number, opts: { gunzip?: boolean } = {}): Promise<Uint8Array | null> {
  const gzip = opts.gunzip === true && (req.headers.get("content-encoding") ?? "").toLowerCase() === "gzip";
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (!gzip && declared > limit) return null;
  if (req.body === null) return new Uint8Array(0);
  const stream: ReadableStream<Uint8Array> = gzip ? req.body.pipeThrough(new DecompressionStream("gzip")) : req.body;
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    parts.push(value);
  }
  return concatBytes(parts);
}

/** The parts joined into one array (the part itself when there is one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** A plain-text answer with a trailing newline, as Go's http.Error writes them. */
export function textResponse(status: number, msg: string): Response {
  return new Response(msg + "\n", { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
