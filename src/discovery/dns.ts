import { labelsFromRecord, type Labels } from "../model/labels.js";
import { errorMessage, PartialRefreshError, type Discoverer, type FetchFn } from "./discoverer.js";
import { ADDRESS_LABEL, type TargetGroup } from "./target_group.js";

export const DNS_NAME_LABEL = "__meta_dns_name";
export const DNS_SRV_RECORD_TARGET_LABEL = "__meta_dns_srv_record_target";
export const DNS_SRV_RECORD_PORT_LABEL = "__meta_dns_srv_record_port";
export const DNS_MX_RECORD_TARGET_LABEL = "__meta_dns_mx_record_target";
export const DNS_NS_RECORD_TARGET_LABEL = "__meta_dns_ns_record_target";

export const DNS_SD_DEFAULT_REFRESH_MS = 30_000;
export const DEFAULT_DOH_ENDPOINT = "https://cloudflare-dns.com/dns-query";

export type DNSRecordType = "SRV" | "A" | "AAAA" | "MX" | "NS";

/** `dns_sd_configs` entry. */
export interface DNSSDConfig {
  readonly names: readonly string[];
  /** Default "SRV"; case-insensitive as in Prometheus. */
  readonly type?: string;
  /** Required for every type but SRV. */
  readonly port?: number;
  /** ms; default 30s. */
  readonly refreshInterval?: number;
}

export interface DNSSDOptions {
  readonly fetch: FetchFn;
  /** A DNS-over-HTTPS endpoint speaking the JSON API (application/dns-json). */
  readonly endpoint?: string;
  readonly timeout?: number;
}

export class DNSSDConfigError extends Error {}

export function validateDNSSDConfig(cfg: DNSSDConfig): DNSRecordType {
  if (cfg.names.length === 0) throw new DNSSDConfigError("DNS-SD config must contain at least one SRV record name");
  const type = (cfg.type ?? "SRV").toUpperCase();
  switch (type) {
    case "SRV":
      return type;
    case "A":
    case "AAAA":
    case "MX":
    case "NS":
      if ((cfg.port ?? 0) === 0) throw new DNSSDConfigError("a port is required in DNS-SD configs for all record types except SRV");
      return type;
    default:
      throw new DNSSDConfigError(`invalid DNS-SD records type ${cfg.type}`);
  }
}

// Resource record type numbers (RFC 1035, 3596, 2782).
const TYPE_A = 1;
const TYPE_NS = 2;
const TYPE_CNAME = 5;
const TYPE_MX = 15;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;

const RCODES: Record<number, string> = {
  1: "FORMERR",
  2: "SERVFAIL",
  4: "NOTIMP",
  5: "REFUSED",
};

/** One answer of the DNS JSON API. */
export interface DoHAnswer {
  name: string;
  type: number;
  TTL?: number;
  data: string;
}

/** The answers of a successful lookup; NXDOMAIN is a valid, empty answer (Prometheus
 * treats it as authoritative "no targets"); any other failure throws. */
export async function dohLookup(name: string, type: DNSRecordType, opts: DNSSDOptions): Promise<DoHAnswer[]> {
  const url = new URL(opts.endpoint ?? DEFAULT_DOH_ENDPOINT);
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  const init: RequestInit = { method: "GET", headers: { accept: "application/dns-json" } };
  if (opts.timeout !== undefined) init.signal = AbortSignal.timeout(opts.timeout);
  const res = await opts.fetch(url.toString(), init);
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`DNS query for ${JSON.stringify(name)} failed: HTTP status ${`${res.status} ${res.statusText}`.trim()}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await res.text());
  } catch (e) {
    throw new Error(`DNS query for ${JSON.stringify(name)} failed: invalid JSON answer: ${errorMessage(e)}`);
  }
  if (typeof body !== "object" || body === null || typeof (body as { Status?: unknown }).Status !== "number") {
    throw new Error(`DNS query for ${JSON.stringify(name)} failed: answer has no Status`);
  }
  const msg = body as { Status: number; Answer?: unknown };
  if (msg.Status === 3) return [];
  if (msg.Status !== 0) {
    throw new Error(`DNS query for ${JSON.stringify(name)} failed: ${RCODES[msg.Status] ?? `rcode ${msg.Status}`}`);
  }
  if (msg.Answer === undefined || msg.Answer === null) return [];
  if (!Array.isArray(msg.Answer)) throw new Error(`DNS query for ${JSON.stringify(name)} failed: Answer is not a list`);
  return msg.Answer.filter(
    (a): a is DoHAnswer => typeof a === "object" && a !== null && typeof a.type === "number" && typeof a.data === "string",
  );
}

/** Go's net.IP.String() for an address: IPv4 dotted decimal; IPv6 with the longest
 * run (of two or more) of zero groups written "::", lowercase hex; IPv4-mapped IPv6
 * printed as IPv4. Null when `s` is not an IP address. */
export function formatIP(s: string): string | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return v4.join(".");
  const g = parseIPv6(s);
  if (g === null) return null;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join(".");
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += g[i]!.toString(16);
  }
  return out;
}

function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255 || (p.length > 1 && p[0] === "0")) return null;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): number[] | null {
  if (!s.includes(":")) return null;
  let str = s;
  const tail: number[] = [];
  const lastColon = str.lastIndexOf(":");
  const last = str.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIPv4(last);
    if (v4 === null) return null;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    str = str.slice(0, lastColon + 1);
    if (!str.endsWith("::")) str = str.slice(0, -1);
  }
  const halves = str.split("::");
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === "") return [];
    const out: number[] = [];
    for (const p of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  if (head === null) return null;
  if (halves.length === 1) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : null;
  }
  const rest = parse(halves[1]!);
  if (rest === null) return null;
  const known = head.length + rest.length + tail.length;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function trimDots(s: string): string {
  return s.replace(/\.+$/, "");
}

/** The target labels for one answer record, or null for records Prometheus skips
 * (CNAME, other types, and data it cannot read). */
export function targetFromAnswer(name: string, a: DoHAnswer, port: number): Labels | null {
  const rec: Record<string, string> = { [DNS_NAME_LABEL]: name };
  const fields = a.data.trim().split(/\s+/);
  switch (a.type) {
    case TYPE_SRV: {
      if (fields.length !== 4) return null;
      const p = Number(fields[2]);
      if (!/^\d+$/.test(fields[2]!) || p > 65535) return null;
      const target = fields[3]!;
      rec[DNS_SRV_RECORD_TARGET_LABEL] = target;
      rec[DNS_SRV_RECORD_PORT_LABEL] = String(p);
      rec[ADDRESS_LABEL] = joinHostPort(trimDots(target), p);
      break;
    }
    case TYPE_MX: {
      if (fields.length !== 2) return null;
      const target = fields[1]!;
      rec[DNS_MX_RECORD_TARGET_LABEL] = target;
      rec[ADDRESS_LABEL] = joinHostPort(trimDots(target), port);
      break;
    }
    case TYPE_NS: {
      if (fields.length !== 1 || fields[0] === "") return null;
      const target = fields[0]!;
      rec[DNS_NS_RECORD_TARGET_LABEL] = target;
      rec[ADDRESS_LABEL] = joinHostPort(trimDots(target), port);
      break;
    }
    case TYPE_A:
    case TYPE_AAAA: {
      const ip = fields.length === 1 ? formatIP(fields[0]!) : null;
      if (ip === null) return null;
      rec[ADDRESS_LABEL] = joinHostPort(ip, port);
      break;
    }
    case TYPE_CNAME:
    default:
      return null;
  }
  return labelsFromRecord(rec);
}

/** dns_sd over DNS-over-HTTPS. Every name is looked up on each refresh; a name whose
 * lookup fails keeps its last good group (Prometheus does not replace it), and the
 * failure is reported through PartialRefreshError. Group source = the name. */
export class DNSDiscoverer implements Discoverer {
  readonly refreshIntervalMs: number;
  readonly type: DNSRecordType;
  private last = new Map<string, TargetGroup>();

  constructor(
    private readonly cfg: DNSSDConfig,
    private readonly opts: DNSSDOptions,
  ) {
    this.type = validateDNSSDConfig(cfg);
    this.refreshIntervalMs = cfg.refreshInterval ?? DNS_SD_DEFAULT_REFRESH_MS;
  }

  seed(groups: readonly TargetGroup[]): void {
    this.last = new Map(groups.map((g) => [g.source, g]));
  }

  async refresh(): Promise<TargetGroup[]> {
    const port = this.cfg.port ?? 0;
    const results = await Promise.all(
      this.cfg.names.map(async (name) => {
        try {
          const answers = await dohLookup(name, this.type, this.opts);
          const targets: Labels[] = [];
          for (const a of answers) {
            const t = targetFromAnswer(name, a, port);
            if (t !== null) targets.push(t);
          }
          return { name, group: { source: name, targets, labels: [] } as TargetGroup, error: null };
        } catch (e) {
          return { name, group: null, error: errorMessage(e) };
        }
      }),
    );
    const errors: string[] = [];
    const next = new Map<string, TargetGroup>();
    for (const r of results) {
      if (r.group !== null) next.set(r.name, r.group);
      else {
        errors.push(r.error!);
        const prev = this.last.get(r.name);
        if (prev !== undefined) next.set(r.name, prev);
      }
    }
    this.last = next;
    const out = [...next.values()];
    if (errors.length > 0) throw new PartialRefreshError(errors.join("; "), out);
    return out;
  }
}
