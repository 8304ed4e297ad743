import { quote as goQuote } from "../model/quote.js";

/** A push URL whose grouping key cannot be read; the message is the Go gateway's. */
export class GroupingKeyError extends Error {
  override readonly name = "GroupingKeyError";
}

export type GroupingLabels = Record<string, string>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const BASE64_SUFFIX = "@base64";

/**
 * The grouping labels of `/metrics/job/<JOB>{/<LABEL>/<VALUE>}` (the path after the
 * gateway's prefix, already percent-decoded as Go's router sees it). `@base64` after
 * `job` or a label name marks a URL-safe base64 value, so values may hold `/`.
 * Returns null when the path is not a push path at all.
 */
export function parsePushPath(path: string): GroupingLabels | null {
  const m = /^\/metrics\/job(@base64)?\/([^/]+)(\/.*)?$/.exec(path);
  if (m === null) return null;
  let job = m[2]!;
  if (m[1] !== undefined) {
    const decoded = decodeBase64(job);
    if (typeof decoded !== "string") throw new GroupingKeyError(`invalid base64 encoding in job name ${goQuote(job)}: ${decoded.error}`);
    job = decoded;
  }
  const labels = splitLabels(m[3] ?? "");
  if (job === "") throw new GroupingKeyError("job name is required");
  labels["job"] = job;
  return labels;
}

function splitLabels(s: string): GroupingLabels {
  const out: GroupingLabels = {};
  if (s.length <= 1) return out;
  const parts = s.slice(1).split("/");
  if (parts.length % 2 !== 0) throw new GroupingKeyError(`odd number of components in label string ${goQuote(s)}`);
  for (let i = 0; i < parts.length; i += 2) {
    const name = parts[i]!;
    const value = parts[i + 1]!;
    const trimmed = name.endsWith(BASE64_SUFFIX) ? name.slice(0, -BASE64_SUFFIX.length) : name;
    if (!LABEL_NAME.test(trimmed) || trimmed.startsWith("__")) throw new GroupingKeyError(`improper label name ${goQuote(trimmed)}`);
    if (trimmed === name) {
      out[name] = value;
      continue;
    }
    const decoded = decodeBase64(value);
    if (typeof decoded !== "string") throw new GroupingKeyError(`invalid base64 encoding for label ${trimmed}=${goQuote(value)}: ${decoded.error}`);
    out[trimmed] = decoded;
  }
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** URL-safe base64 without padding (trailing `=` ignored), with Go's error text. */
function decodeBase64(s: string): string | { error: string } {
  const src = s.replace(/=+$/, "");
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\r" || c === "\n") continue;
    const v = B64_INDEX.get(c);
    if (v === undefined) return { error: `illegal base64 data at input byte ${i}` };
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  if (src.length % 4 === 1) return { error: `illegal base64 data at input byte ${src.length - 1}` };
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    return { error: "decoded value is not valid UTF-8" };
  }
}

/** The key that identifies a group: sorted label names and values, as the gateway's
 * groupingKeyFor builds it. */
export function groupingKeyFor(labels: GroupingLabels): string {
  return Object.keys(labels)
    .sort()
    .map((n) => n + "\xff" + labels[n])
    .join("\xff");
}

/** The path that addresses a group, with `@base64` wherever a value would not
 * survive as a path segment (empty, or holding `/`). */
export function groupingPath(labels: GroupingLabels): string {
  const seg = (name: string, value: string) =>
    value === "" || value.includes("/") || value.includes("%")
      ? `${name}@base64/${encodeBase64(value) || "="}`
      : `${name}/${encodeURIComponent(value)}`;
  let p = "/metrics/" + seg("job", labels["job"] ?? "");
  for (const n of Object.keys(labels).sort()) if (n !== "job") p += "/" + seg(n, labels[n]!);
  return p;
}

function encodeBase64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}
