/**
 * The sending half of `remote_write`: a durable queue of encoded samples, sent in
 * batches of at most `max_samples_per_send` as snappy-compressed WriteRequests, with
 * `batch_send_deadline`, exponential backoff between `min_backoff` and `max_backoff`
 * on recoverable errors (5xx, 429 when `retry_on_http_429`, network errors and
 * timeouts), drops on other 4xx, and a bounded backlog.
 *
 * This module is plain logic over injected persistence (SegmentStore), fetch and clock,
 * so it runs in Node for tests; the RemoteWriteQueue Durable Object (remote_write_queue.ts)
 * backs it with SQLite and drives it from its alarm.
 *
 * Pending samples are kept as segments: each an encoded (uncompressed) protobuf
 * WriteRequest of at most `max_samples_per_send` samples. Concatenated protobuf
 * messages of one type merge their repeated fields, so a send is the concatenation of
 * whole segments from the oldest on, snappy-compressed.
 */

import { authHeaders } from "../config/http_auth.js";
import { concatBytes } from "../encoding/body.js";
import type { Config, RemoteWriteConfig } from "../config/types.js";
import { labelsFromKey, type Label } from "../model/labels.js";
import type { Sample } from "../model/sample.js";
import { FloatHistogram } from "../model/histogram.js";
import { encodeWriteRequest } from "./write_request.js";
import { snappyCompress } from "./snappy.js";
import { USER_AGENT } from "../model/version.js";

/** What a queue needs to send: plain data (crosses the Durable Object RPC boundary);
 * relabelling and external labels are applied before samples are enqueued. */
export interface QueueSettings {
  url: string;
  /** Configured headers plus Authorization from basic_auth / authorization. */
  headers: Record<string, string>;
  timeoutMs: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  retryOnHttp429: boolean;
  /** Largest backlog in samples; beyond it the oldest segments are dropped. */
  capacitySamples: number;
  /** Samples older than this (ms) when sent are dropped; 0 = no limit. */
  sampleAgeLimitMs: number;
  /** send_native_histograms: forward native histogram samples. */
  sendNativeHistograms?: boolean;
}

/** Samples in columns, as storage's AppendBatch: series i (canonical label key
 * keys[i]) owns counts[i] consecutive samples of ts/vs. */
export interface QueueBatch {
  keys: string[];
  counts: Uint32Array;
  ts: Float64Array;
  vs: Float64Array;
  /** Native histogram samples, as plain FloatHistogram fields (they cross the
   * Durable Object RPC boundary, which keeps data, not classes). */
  histograms?: Array<{ key: string; t: number; h: Partial<FloatHistogram> }>;
}

export interface Segment {
  id: number;
  enqueuedAt: number;
  samples: number;
  /** Newest sample timestamp in the segment (for sample_age_limit). */
  maxT: number;
  body: Uint8Array;
}

export interface QueueCounters {
  /** Samples accepted into the queue. */
  samplesIn: number;
  /** Samples the receiver acknowledged (2xx). */
  samplesSent: number;
  /** Samples dropped because the receiver refused them for good (4xx other than retried 429). */
  samplesFailed: number;
  /** Samples dropped because the backlog was full or too old. */
  samplesDropped: number;
  /** Sends that failed recoverably and are retried. */
  retries: number;
  lastError: string;
  lastSendAt: number;
}

export interface QueueState {
  settings?: QueueSettings;
  /** Consecutive failed attempts of the current head batch. */
  attempt: number;
  /** No send before this time (backoff). */
  retryAt: number;
  counters: QueueCounters;
}

export interface QueueStats extends QueueCounters {
  pendingSamples: number;
  pendingSegments: number;
  url: string;
  attempt: number;
  retryAt: number;
}

/** Persistence of segments and state; every method is synchronous (Durable Object
 * SQLite is), so a manager step is atomic with respect to other requests. */
export interface SegmentStore {
  add(seg: Omit<Segment, "id">): void;
  /** Oldest segments first, whole, while their sum stays <= maxSamples (at least one). */
  head(maxSamples: number): Segment[];
  remove(ids: readonly number[]): void;
  /** Oldest segment, or undefined when empty. */
  oldest(): Segment | undefined;
  pendingSamples(): number;
  pendingSegments(): number;
  loadState(): QueueState | undefined;
  saveState(s: QueueState): void;
}

export interface QueueDeps {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  now: () => number;
}

export const REMOTE_WRITE_USER_AGENT = `${USER_AGENT} (Prometheus remote write)`;

export function newCounters(): QueueCounters {
  return { samplesIn: 0, samplesSent: 0, samplesFailed: 0, samplesDropped: 0, retries: 0, lastError: "", lastSendAt: 0 };
}

/** Queue settings from a remote_write entry (Prometheus' defaults are already applied
 * by the config loader). capacity is per shard in Prometheus; the durable backlog
 * here holds capacity x max_shards samples. */
export function queueSettingsFor(rw: RemoteWriteConfig): QueueSettings {
  const q = rw.queueConfig;
  return {
    url: rw.url,
    headers: { ...rw.headers, ...authHeaders(rw.httpClient) },
    timeoutMs: rw.remoteTimeout,
    maxSamplesPerSend: Math.max(1, q.maxSamplesPerSend),
    batchSendDeadlineMs: Math.max(0, q.batchSendDeadline),
    minBackoffMs: Math.max(1, q.minBackoff),
    maxBackoffMs: Math.max(q.minBackoff, q.maxBackoff),
    retryOnHttp429: q.retryOnHttp429,
    capacitySamples: Math.max(q.maxSamplesPerSend, q.capacity * Math.max(1, q.maxShards)),
    sampleAgeLimitMs: q.sampleAgeLimit,
    sendNativeHistograms: rw.sendNativeHistograms,
  };
}

/** The Durable Object name of a tier's queue for remote_write entry `index`. */
export function queueName(tier: string, rw: RemoteWriteConfig, index: number): string {
  return `${tier}/remote-write/${rw.name !== undefined && rw.name !== "" ? rw.name : String(index)}`;
}

export function hasRemoteWrite(cfg: Config | null | undefined): boolean {
  return (cfg?.remoteWrite.length ?? 0) > 0;
}

/** Splits a batch into encoded segments of at most `max` samples each. */
export function encodeSegments(batch: QueueBatch, max: number): Array<{ samples: number; maxT: number; body: Uint8Array }> {
  const out: Array<{ samples: number; maxT: number; body: Uint8Array }> = [];
  let series: Array<{ labels: Label[]; samples: Sample[]; histograms?: { t: number; h: FloatHistogram }[] }> = [];
  let n = 0;
  let maxT = -Infinity;
  const flush = () => {
    if (n === 0) return;
    out.push({ samples: n, maxT, body: encodeWriteRequest({ timeseries: series }) });
    series = [];
    n = 0;
    maxT = -Infinity;
  };
  let o = 0;
  for (let i = 0; i < batch.keys.length; i++) {
    const labels = labelsFromKey(batch.keys[i]!) as Label[];
    const count = batch.counts[i]!;
    let cur: Sample[] = [];
    for (let j = 0; j < count; j++, o++) {
      if (n === max) {
        if (cur.length > 0) series.push({ labels, samples: cur });
        cur = [];
        flush();
      }
      const t = batch.ts[o]!;
      cur.push({ t, v: batch.vs[o]! });
      if (t > maxT) maxT = t;
      n++;
    }
    if (cur.length > 0) series.push({ labels, samples: cur });
  }
  // Histograms count as samples towards max_samples_per_send, one series entry each.
  for (const x of batch.histograms ?? []) {
    if (n === max) flush();
    series.push({ labels: labelsFromKey(x.key) as Label[], samples: [], histograms: [{ t: x.t, h: FloatHistogram.from(x.h) }] });
    if (x.t > maxT) maxT = x.t;
    n++;
  }
  flush();
  return out;
}

export type SendOutcome = "sent" | "retry" | "failed" | "idle" | "waiting";

export class QueueManager {
  private state: QueueState;

  constructor(
    private readonly store: SegmentStore,
    private readonly deps: QueueDeps,
  ) {
    this.state = store.loadState() ?? { attempt: 0, retryAt: 0, counters: newCounters() };
  }

  get settings(): QueueSettings | undefined {
    return this.state.settings;
  }

  /** Stores the batch durably (it is safe once this returns) and returns when the
   * queue wants to run next. Drops the oldest segments when over capacity. */
  enqueue(settings: QueueSettings, batch: QueueBatch): number | null {
    this.state.settings = settings;
    const now = this.deps.now();
    let total = 0;
    for (const seg of encodeSegments(batch, settings.maxSamplesPerSend)) {
      this.store.add({ enqueuedAt: now, samples: seg.samples, maxT: seg.maxT, body: seg.body });
      total += seg.samples;
    }
    this.state.counters.samplesIn += total;
    // Bounded backlog: Prometheus blocks the WAL reader instead; a Worker cannot hold
    // up its writers, so the oldest samples make room and are counted as dropped.
    while (this.store.pendingSamples() > settings.capacitySamples && this.store.pendingSegments() > 1) {
      const old = this.store.oldest()!;
      this.store.remove([old.id]);
      this.state.counters.samplesDropped += old.samples;
      // The head batch changed: its backoff no longer applies to the new head.
      this.state.attempt = 0;
    }
    this.store.saveState(this.state);
    return this.nextWakeAt();
  }

  /** When the queue should run next: null when empty; otherwise the later of the
   * backoff time and (for a partial batch) the oldest segment's send deadline. */
  nextWakeAt(): number | null {
    const s = this.state.settings;
    const oldest = this.store.oldest();
    if (s === undefined || oldest === undefined) return null;
    const full = this.store.pendingSamples() >= s.maxSamplesPerSend;
    const due = full ? this.deps.now() : oldest.enqueuedAt + s.batchSendDeadlineMs;
    return Math.max(due, this.state.retryAt);
  }

  /** One send attempt if one is due. `force` ignores batch_send_deadline (not backoff). */
  async sendOnce(force = false): Promise<SendOutcome> {
    const s = this.state.settings;
    if (s === undefined || this.store.pendingSegments() === 0) return "idle";
    const now = this.deps.now();
    if (now < this.state.retryAt) return "waiting";
    if (!force && this.store.pendingSamples() < s.maxSamplesPerSend && now < this.store.oldest()!.enqueuedAt + s.batchSendDeadlineMs) return "waiting";
    let segs = this.store.head(s.maxSamplesPerSend);
    if (s.sampleAgeLimitMs > 0) {
      const stale = segs.filter((x) => x.maxT < now - s.sampleAgeLimitMs);
      if (stale.length > 0) {
        this.store.remove(stale.map((x) => x.id));
        for (const x of stale) this.state.counters.samplesDropped += x.samples;
        segs = segs.filter((x) => x.maxT >= now - s.sampleAgeLimitMs);
        this.store.saveState(this.state);
        if (segs.length === 0) return "failed";
      }
    }
    const samples = segs.reduce((a, x) => a + x.samples, 0);
    const body = snappyCompress(concatBytes(segs.map((x) => x.body)));
    let status = 0;
    let error = "";
    try {
      const res = await this.deps.fetch(s.url, {
        method: "POST",
        headers: {
          ...s.headers,
          "Content-Encoding": "snappy",
          "Content-Type": "application/x-protobuf",
          "User-Agent": REMOTE_WRITE_USER_AGENT,
          "X-Prometheus-Remote-Write-Version": "0.1.0",
        },
        body,
        signal: s.timeoutMs > 0 ? AbortSignal.timeout(s.timeoutMs) : undefined,
      });
      status = res.status;
      if (status < 200 || status >= 300) error = `server returned HTTP status ${status}: ${(await res.text().catch(() => "")).slice(0, 256).trim()}`;
      else await res.body?.cancel();
    } catch (e) {
      error = `send failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    const c = this.state.counters;
    c.lastSendAt = this.deps.now();
    const ids = segs.map((x) => x.id);
    if (error === "") {
      this.store.remove(ids);
      c.samplesSent += samples;
      this.state.attempt = 0;
      this.state.retryAt = 0;
      this.store.saveState(this.state);
      return "sent";
    }
    c.lastError = error;
    const recoverable = status === 0 || status >= 500 || (status === 429 && s.retryOnHttp429);
    if (!recoverable) {
      this.store.remove(ids);
      c.samplesFailed += samples;
      this.state.attempt = 0;
      this.state.retryAt = 0;
      this.store.saveState(this.state);
      return "failed";
    }
    c.retries++;
    this.state.retryAt = this.deps.now() + backoff(this.state.attempt, s.minBackoffMs, s.maxBackoffMs);
    this.state.attempt++;
    this.store.saveState(this.state);
    return "retry";
  }

  /** Sends due batches until nothing is due, a send must be retried later, or
   * `maxSends` requests were made. Returns when to run next (null: queue empty). */
  async run(maxSends: number): Promise<number | null> {
    for (let i = 0; i < maxSends; i++) {
      const r = await this.sendOnce();
      if (r === "retry" || r === "waiting" || r === "idle") break;
    }
    return this.nextWakeAt();
  }

  stats(): QueueStats {
    return {
      ...this.state.counters,
      pendingSamples: this.store.pendingSamples(),
      pendingSegments: this.store.pendingSegments(),
      url: this.state.settings?.url ?? "",
      attempt: this.state.attempt,
      retryAt: this.state.retryAt,
    };
  }
}

/** min_backoff doubled per failed attempt, capped at max_backoff. */
export function backoff(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt, 40));
}

/** An in-memory SegmentStore (tests, and a reference for the SQLite one). */
export class MemorySegmentStore implements SegmentStore {
  private segs: Segment[] = [];
  private nextId = 1;
  private state: QueueState | undefined;

  add(seg: Omit<Segment, "id">): void {
    this.segs.push({ ...seg, id: this.nextId++ });
  }
  head(maxSamples: number): Segment[] {
    const out: Segment[] = [];
    let n = 0;
    for (const s of this.segs) {
      if (out.length > 0 && n + s.samples > maxSamples) break;
      out.push(s);
      n += s.samples;
    }
    return out;
  }
  remove(ids: readonly number[]): void {
    const drop = new Set(ids);
    this.segs = this.segs.filter((s) => !drop.has(s.id));
  }
  oldest(): Segment | undefined {
    return this.segs[0];
  }
  pendingSamples(): number {
    return this.segs.reduce((a, s) => a + s.samples, 0);
  }
  pendingSegments(): number {
    return this.segs.length;
  }
  loadState(): QueueState | undefined {
    return this.state === undefined ? undefined : structuredClone(this.state);
  }
  saveState(s: QueueState): void {
    this.state = structuredClone(s);
  }
}
