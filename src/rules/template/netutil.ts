/**
 * The bits of Go's net and net/url the template functions use: url.QueryEscape,
 * net.SplitHostPort, net.JoinHostPort, net.ParseIP, and the path of a URL.
 */
import { utf8Bytes } from "./values.js";

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** url.QueryEscape: space becomes '+', everything but unreserved bytes becomes %XX. */
export function queryEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === " ") out += "+";
    else if (ch.length === 1 && UNRESERVED.test(ch)) out += ch;
    else for (const b of utf8Bytes(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export class AddrError extends Error {}

/** net.SplitHostPort. */
export function splitHostPort(hostport: string): { host: string; port: string } {
  const fail = (why: string): never => {
    throw new AddrError(`address ${hostport}: ${why}`);
  };
  let j = 0;
  let k = 0;
  const i = hostport.lastIndexOf(":");
  if (i < 0) fail("missing port in address");
  let host: string;
  if (hostport[0] === "[") {
    const end = hostport.indexOf("]");
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === hostport.length) fail("missing port in address");
    else if (end + 1 !== i) {
      if (hostport[end + 1] === ":") fail("too many colons in address");
      fail("missing port in address");
    }
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) fail("too many colons in address");
  }
  if (hostport.slice(j).includes("[")) fail("unexpected '[' in address");
  if (hostport.slice(k).includes("]")) fail("unexpected ']' in address");
  return { host, port: hostport.slice(i + 1) };
}

/** net.JoinHostPort. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function parseIPv4(s: string): boolean {
  const parts = s.split(".");
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return false;
    if (p.length > 1 && p[0] === "0") return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

function parseIPv6(s: string): boolean {
  if (s.includes("%")) return false;
  let groups = 0;
  let ellipsis = false;
  let rest = s;
  if (rest.startsWith("::")) {
    ellipsis = true;
    rest = rest.slice(2);
    if (rest === "") return true;
  }
  while (rest.length > 0) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(rest);
    if (!m) return false;
    // An IPv4 tail takes the last two groups.
    if (rest.length > m[0].length && rest[m[0].length] === ".") {
      if (!parseIPv4(rest)) return false;
      groups += 2;
      rest = "";
      break;
    }
    groups++;
    rest = rest.slice(m[0].length);
    if (rest === "") break;
    if (rest[0] !== ":") return false;
    if (rest.startsWith("::")) {
      if (ellipsis) return false;
      ellipsis = true;
      rest = rest.slice(2);
      if (rest === "") break;
      continue;
    }
    rest = rest.slice(1);
    if (rest === "") return false;
  }
  if (groups > 8) return false;
  return ellipsis ? groups < 8 : groups === 8;
}

/** Whether net.ParseIP accepts s (IPv4 without leading zeros, IPv6 without a zone). */
export function isIP(s: string): boolean {
  return s.includes(":") ? parseIPv6(s) : parseIPv4(s);
}

function unescapePath(p: string): string {
  try {
    return decodeURIComponent(p.replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
  } catch {
    return p;
  }
}

/** url.Parse(u).Path: the unescaped path of an absolute or relative URL. */
export function urlPath(u: string): string {
  const m = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?(?:\/\/[^/?#]*)?([^?#]*)/.exec(u);
  return unescapePath(m?.[1] ?? "");
}
