import { assets } from "./generated/ui_bundle.js";

/** Hashed names never change content, so browsers may keep them for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** The UI files, gzipped at build time. Decoded from base64 once per isolate, on first
 * use, so a Worker that never serves the UI pays nothing. */
export class AssetStore {
  private readonly decoded = new Map<string, Uint8Array>();

  has(name: string): boolean {
    return Object.hasOwn(assets, name);
  }

  /** Serves a file: the stored gzip bytes as they are when the client accepts gzip
   * (nearly always), else inflated on the way out. */
  serve(name: string, req: Request): Response {
    const entry = assets[name];
    if (entry === undefined) return new Response("404 page not found\n", { status: 404 });
    const [contentType] = entry;
    const etag = `"${name}"`;
    const headers: Record<string, string> = {
      "content-type": contentType,
      "cache-control": IMMUTABLE,
      etag,
      vary: "accept-encoding",
    };
    if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
    const gz = this.bytes(name);
    if (acceptsGzip(req.headers.get("accept-encoding"))) {
      // "manual": the body is already encoded; the runtime must not compress it again.
      return new Response(gz, { headers: { ...headers, "content-encoding": "gzip" }, encodeBody: "manual" });
    }
    const body = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(body, { headers });
  }

  private bytes(name: string): Uint8Array {
    let b = this.decoded.get(name);
    if (b === undefined) {
      const bin = atob(assets[name]![1]);
      b = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
      this.decoded.set(name, b);
    }
    return b;
  }
}

/** Whether an Accept-Encoding header admits gzip (a q=0 weight refuses it). */
export function acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  for (const part of header.split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
