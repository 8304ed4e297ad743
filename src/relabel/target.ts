import { formatDuration, parseDuration } from "../model/time.js";
import type { Label, Labels } from "../model/labels.js";
import { RelabelBuilder } from "./builder.js";
import { relabelBuilder, type CompiledRelabelConfig } from "./relabel.js";

// The reserved labels of Prometheus' model package.
export const ADDRESS_LABEL = "__address__";
export const SCHEME_LABEL = "__scheme__";
export const METRICS_PATH_LABEL = "__metrics_path__";
export const SCRAPE_INTERVAL_LABEL = "__scrape_interval__";
export const SCRAPE_TIMEOUT_LABEL = "__scrape_timeout__";
export const PARAM_LABEL_PREFIX = "__param_";
export const META_LABEL_PREFIX = "__meta_";
export const RESERVED_LABEL_PREFIX = "__";
export const JOB_LABEL = "job";
export const INSTANCE_LABEL = "instance";

/** The parts of a scrape config that shape a target's labels. Durations in ms. */
export interface TargetScrapeConfig {
  readonly jobName: string;
  readonly scheme: string;
  readonly metricsPath: string;
  readonly scrapeInterval: number;
  readonly scrapeTimeout: number;
  readonly params?: Readonly<Record<string, readonly string[]>>;
}

export interface PopulateOptions {
  /** Prometheus 2.x appended :80 / :443 to addresses without a port (unless its
   * `no-default-scrape-port` feature flag was on). Prometheus 3, and edgeprom by
   * default, leave the address alone. */
  defaultPorts?: boolean;
}

export interface PopulatedTarget {
  /** The public target labels (Prometheus' Target.Labels()): no "__"-prefixed
   * label. These are the labels attached to every scraped series and shown as
   * `labels` by /api/v1/targets. Empty when dropped or on error. */
  readonly labels: Labels;
  /** PopulateLabels' result: the public labels plus the internal ones the scrape
   * needs (__address__, __scheme__, __metrics_path__, __scrape_interval__,
   * __scrape_timeout__, __param_*, and any other "__" label except __meta_*). */
  readonly internalLabels: Labels;
  /** Labels before relabeling, with the scrape config's defaults filled in
   * (`discoveredLabels` in /api/v1/targets). */
  readonly discoveredLabels: Labels;
  readonly dropped?: boolean;
  /** Why the target is invalid (Prometheus lists such targets nowhere and logs the
   * error); `discoveredLabels` is still filled in, for the UI. */
  readonly error?: string;
  /** Set for kept targets. */
  readonly scrapeUrl?: string;
  readonly scrapeIntervalMs?: number;
  readonly scrapeTimeoutMs?: number;
}

/** Prometheus' model.Duration.String(), as target labels carry it. */
export const formatModelDuration = formatDuration;

/** Prometheus' model.ParseDuration, with its error messages. */
export const parseModelDuration = parseDuration;

/** Go's net.SplitHostPort; null where Go returns an error. */
export function splitHostPort(hostport: string): { host: string; port: string } | null {
  const i = hostport.lastIndexOf(":");
  if (i < 0) return null;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === "[") {
    const end = hostport.indexOf("]");
    if (end < 0) return null;
    if (end + 1 === hostport.length) return null;
    if (end + 1 !== i) return null;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) return null;
  }
  if (hostport.slice(j).includes("[")) return null;
  if (hostport.slice(k).includes("]")) return null;
  return { host, port: hostport.slice(i + 1) };
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Prometheus' config.CheckTargetAddress. */
export function checkTargetAddress(address: string): string | null {
  return address.includes("/") ? `${JSON.stringify(address)} is not a valid hostname` : null;
}

const LONE_SURROGATE = /\p{Cs}/u;

function fail(discovered: Labels, error: string): PopulatedTarget {
  return { labels: [], internalLabels: [], discoveredLabels: discovered, error };
}

/** Prometheus' scrape.PopulateLabels (3.x): fills in the scrape config's defaults,
 * relabels, checks the address, interval and timeout, removes __meta_* labels and
 * defaults `instance` to the address. `discovered` is the target's labels merged with
 * its group's (the target's win; see mergeTargetLabels). */
export function populateTargetLabels(
  discovered: Labels,
  cfg: TargetScrapeConfig,
  relabelConfigs: readonly CompiledRelabelConfig[],
  opts: PopulateOptions = {},
): PopulatedTarget {
  const lb = new RelabelBuilder(discovered);
  const defaults: [string, string][] = [
    [JOB_LABEL, cfg.jobName],
    [SCRAPE_INTERVAL_LABEL, formatModelDuration(cfg.scrapeInterval)],
    [SCRAPE_TIMEOUT_LABEL, formatModelDuration(cfg.scrapeTimeout)],
    [METRICS_PATH_LABEL, cfg.metricsPath],
    [SCHEME_LABEL, cfg.scheme],
  ];
  for (const [name, value] of defaults) if (lb.get(name) === "") lb.set(name, value);
  if (cfg.params !== undefined) {
    for (const k of Object.keys(cfg.params)) {
      const v = cfg.params[k]!;
      const name = PARAM_LABEL_PREFIX + k;
      if (v.length > 0 && lb.get(name) === "") lb.set(name, v[0]!);
    }
  }
  const pre = lb.labels();
  // Relabel from the sorted set, so that labelmap visits labels in name order (as
  // Prometheus 2 always did; Prometheus 3's order there depends on map iteration).
  lb.reset(pre);
  if (!relabelBuilder(lb, relabelConfigs)) {
    return { labels: [], internalLabels: [], discoveredLabels: pre, dropped: true };
  }
  let addr = lb.get(ADDRESS_LABEL);
  if (addr === "") return fail(pre, "no address");

  if (opts.defaultPorts === true && splitHostPort(addr) === null && splitHostPort(addr + ":1234") !== null) {
    const scheme = lb.get(SCHEME_LABEL);
    if (scheme === "http" || scheme === "") addr += ":80";
    else if (scheme === "https") addr += ":443";
    else return fail(pre, `invalid scheme: ${JSON.stringify(cfg.scheme)}`);
    lb.set(ADDRESS_LABEL, addr);
  }

  const addrErr = checkTargetAddress(addr);
  if (addrErr !== null) return fail(pre, addrErr);

  const interval = lb.get(SCRAPE_INTERVAL_LABEL);
  let intervalMs: number;
  try {
    intervalMs = parseModelDuration(interval);
  } catch (e) {
    return fail(pre, `error parsing scrape interval: ${(e as Error).message}`);
  }
  if (intervalMs === 0) return fail(pre, "scrape interval cannot be 0");
  const timeout = lb.get(SCRAPE_TIMEOUT_LABEL);
  let timeoutMs: number;
  try {
    timeoutMs = parseModelDuration(timeout);
  } catch (e) {
    return fail(pre, `error parsing scrape timeout: ${(e as Error).message}`);
  }
  if (timeoutMs === 0) return fail(pre, "scrape timeout cannot be 0");
  if (timeoutMs > intervalMs) {
    return fail(pre, `scrape timeout cannot be greater than scrape interval (${JSON.stringify(timeout)} > ${JSON.stringify(interval)})`);
  }

  lb.range((l) => {
    if (l.name.startsWith(META_LABEL_PREFIX)) lb.delete(l.name);
  });
  if (lb.get(INSTANCE_LABEL) === "") lb.set(INSTANCE_LABEL, addr);

  const res = lb.labels();
  for (const l of res) {
    if (LONE_SURROGATE.test(l.value)) return fail(pre, `invalid label value for ${JSON.stringify(l.name)}: ${JSON.stringify(l.value)}`);
  }
  return {
    labels: publicLabels(res),
    internalLabels: res,
    discoveredLabels: pre,
    scrapeUrl: scrapeUrl(res, cfg.params),
    scrapeIntervalMs: intervalMs,
    scrapeTimeoutMs: timeoutMs,
  };
}

/** Prometheus' Target.Labels(): the labels without the reserved "__" prefix. */
export function publicLabels(ls: Labels): Labels {
  let n = 0;
  for (const l of ls) if (l.name.startsWith(RESERVED_LABEL_PREFIX)) n++;
  if (n === 0) return ls;
  return ls.filter((l) => !l.name.startsWith(RESERVED_LABEL_PREFIX));
}

/** The discovered label set of one target: its own labels, then its group's labels
 * for names it does not set (empty values are absent). */
export function mergeTargetLabels(target: Labels, group: Labels): Labels {
  if (group.length === 0) return target;
  const out: Label[] = target.filter((l) => l.value !== "");
  for (const g of group) {
    if (g.value === "" || target.some((t) => t.name === g.name)) continue;
    out.push(g);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface TargetFromGroup extends PopulatedTarget {
  /** The index of the target in its group. */
  readonly index: number;
}

/** Prometheus' TargetsFromGroup: every target of a group, with errors worded
 * `instance <i> in group <source>: <reason>`. */
export function targetsFromGroup(
  group: { readonly source: string; readonly targets: readonly Labels[]; readonly labels: Labels },
  cfg: TargetScrapeConfig,
  relabelConfigs: readonly CompiledRelabelConfig[],
  opts: PopulateOptions = {},
): TargetFromGroup[] {
  return group.targets.map((t, index) => {
    const r = populateTargetLabels(mergeTargetLabels(t, group.labels), cfg, relabelConfigs, opts);
    if (r.error !== undefined) return { ...r, index, error: `instance ${index} in group ${group.source}: ${r.error}` };
    return { ...r, index };
  });
}

// ---- URL building with Go's net/url rules (Target.URL().String()) ----

const HEX = "0123456789ABCDEF";
const utf8 = new TextEncoder();

type Mode = "path" | "host" | "query";

function shouldEscape(c: number, mode: Mode): boolean {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) return false;
  const ch = String.fromCharCode(c);
  if (mode === "host" && "!$&'()*+,;=:[]<>\"".includes(ch)) return false;
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=?@".includes(ch)) {
    if (mode === "path") return ch === "?";
    if (mode === "query") return true;
  }
  return true;
}

function escape(s: string, mode: Mode): string {
  let out = "";
  for (const b of utf8.encode(s)) {
    if (!shouldEscape(b, mode)) out += String.fromCharCode(b);
    else if (b === 32 && mode === "query") out += "+";
    else out += "%" + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** The scrape URL: __scheme__://__address____metrics_path__?params, where the
 * config's params are overridden (first value) by __param_<name> labels, encoded and
 * sorted by name like Go's url.Values.Encode. */
export function scrapeUrl(internal: Labels, params?: Readonly<Record<string, readonly string[]>>): string {
  const values = new Map<string, string[]>();
  if (params !== undefined) for (const k of Object.keys(params)) values.set(k, params[k]!.slice());
  let scheme = "";
  let host = "";
  let path = "";
  for (const l of internal) {
    if (l.name === SCHEME_LABEL) scheme = l.value;
    else if (l.name === ADDRESS_LABEL) host = l.value;
    else if (l.name === METRICS_PATH_LABEL) path = l.value;
    else if (l.name.startsWith(PARAM_LABEL_PREFIX)) {
      const k = l.name.slice(PARAM_LABEL_PREFIX.length);
      const vs = values.get(k);
      if (vs !== undefined && vs.length > 0) vs[0] = l.value;
      else values.set(k, [l.value]);
    }
  }
  let out = scheme !== "" ? scheme + ":" : "";
  if (scheme !== "" || host !== "") {
    if (host !== "" || path !== "") out += "//";
    out += escape(host, "host");
  }
  const p = path === "*" ? "*" : escape(path, "path");
  if (p !== "" && p[0] !== "/" && host !== "") out += "/";
  out += p;
  const keys = [...values.keys()].sort();
  const q: string[] = [];
  for (const k of keys) {
    const ek = escape(k, "query");
    for (const v of values.get(k)!) q.push(ek + "=" + escape(v, "query"));
  }
  if (q.length > 0) out += "?" + q.join("&");
  return out;
}

