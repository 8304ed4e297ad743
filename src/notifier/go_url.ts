// The URL an Alertmanager is posted to, built the way Go builds it in Prometheus
// (path.Join of the prefix and the API path; url.URL{Scheme, Host, Path}.String()),
// because WHATWG URL parsing would rewrite what users wrote (default ports dropped,
// hosts lower-cased, dot segments resolved differently).

/** Go's path.Clean: one slash between elements, no "." elements, ".." resolved, no
 * trailing slash, "/" for an empty rooted path. */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}

/** Go's path.Join: the non-empty elements joined with "/" and cleaned. */
export function joinPath(...elems: string[]): string {
  const nonEmpty = elems.filter((e) => e !== "");
  return nonEmpty.length === 0 ? "" : cleanPath(nonEmpty.join("/"));
}

/** Prometheus' postPath: where alerts are posted under a path_prefix. */
export function alertsPath(pathPrefix: string, apiVersion: string): string {
  return joinPath("/", pathPrefix, `/api/${apiVersion}/alerts`);
}

const HEX = "0123456789ABCDEF";
const UTF8 = new TextEncoder();

function isUnreserved(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e;
}

// Bytes Go leaves alone in a path besides the unreserved ones: $ & + , / : ; = @
const PATH_KEEP = new Set([0x24, 0x26, 0x2b, 0x2c, 0x2f, 0x3a, 0x3b, 0x3d, 0x40]);
// And in a host: ! $ & ' ( ) * + , ; = : [ ] < > "
const HOST_KEEP = new Set([0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x3b, 0x3d, 0x3a, 0x5b, 0x5d, 0x3c, 0x3e, 0x22]);

/** Go's url.escape: every UTF-8 byte outside the kept set as %XX. */
function escape(s: string, keep: Set<number>): string {
  let out = "";
  for (const b of UTF8.encode(s)) {
    if (isUnreserved(b) || keep.has(b)) out += String.fromCharCode(b);
    else out += "%" + HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** url.URL{Scheme, Host, Path}.String() for an absolute path (the form a path from
 * alertsPath, or set by relabelling __alerts_path__, is in). */
export function formatURL(scheme: string, host: string, path: string): string {
  let s = scheme === "" ? "" : scheme + ":";
  if (scheme !== "" || host !== "") {
    if (host !== "" || path !== "") s += "//";
    s += escape(host, HOST_KEEP);
  }
  if (path !== "" && !path.startsWith("/") && host !== "") s += "/";
  if (path === "*") return s + "*";
  return s + escape(path, PATH_KEEP);
}
