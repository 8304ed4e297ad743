import type { FloatHistogram } from "../model/histogram.js";
import { SampleBuffer } from "../model/sample_buffer.js";
import type { Config } from "../config/types.js";
import { LabelsBuilder, labelsKey, type Labels } from "../model/labels.js";
import { queueName, queueSettingsFor, type QueueBatch, type QueueSettings } from "./queue_manager.js";
import { compileRelabelConfigs, relabel } from "../relabel/index.js";
import type { CompiledRelabelConfig } from "../relabel/relabel.js";
import type { AppendResult, Appender, Storage, StoredExemplar } from "../storage/storage.js";

/** The slice of a RemoteWriteQueue stub the tee uses. */
export interface RemoteWriteSink {
  enqueue(settings: QueueSettings, batch: QueueBatch): Promise<unknown>;
}

/** One remote_write entry as the tee applies it. */
export interface RemoteWriteTarget {
  settings: QueueSettings;
  relabel: readonly CompiledRelabelConfig[];
  /** The tier's external labels, attached to series that lack them. */
  externalLabels: Readonly<Record<string, string>>;
  sink: () => RemoteWriteSink;
}

/** The remote_write targets of a tier's configuration; `queue(name)` opens the
 * RemoteWriteQueue Durable Object of that name. */
export function remoteWriteTargets(cfg: Config | null | undefined, tier: string, queue: (name: string) => RemoteWriteSink): RemoteWriteTarget[] {
  if (cfg === null || cfg === undefined) return [];
  return cfg.remoteWrite.map((rw, i) => ({
    settings: queueSettingsFor(rw),
    relabel: compileRelabelConfigs(rw.writeRelabelConfigs),
    externalLabels: cfg.global.externalLabels,
    sink: () => queue(queueName(tier, rw, i)),
  }));
}

/** Wraps an Appender so that what it commits is also enqueued to every remote_write
 * queue. All appended samples are forwarded (including ones storage rejects as out
 * of order), after storage committed; the commit fails if a queue does not take them,
 * so a remote-write sender retries rather than losing them. */
interface Buffered {
  labels: Labels;
  samples: SampleBuffer;
}

interface BufferedHistogram {
  labels: Labels;
  t: number;
  h: FloatHistogram;
}

export class TeeAppender implements Appender {
  private series = new Map<string, Buffered>();
  private histograms: BufferedHistogram[] = [];
  private readonly forwardHistograms: boolean;

  constructor(
    private readonly inner: Appender,
    private readonly targets: readonly RemoteWriteTarget[],
  ) {
    this.forwardHistograms = targets.some((t) => t.settings.sendNativeHistograms === true);
  }

  appendHistogram(labels: Labels, t: number, h: FloatHistogram): void {
    if (this.inner.appendHistogram === undefined) throw new Error("this storage does not keep native histograms");
    this.inner.appendHistogram(labels, t, h);
    if (this.forwardHistograms) this.histograms.push({ labels, t, h });
  }

  /** Stored locally only: forwarding exemplars to remote_write targets is not done yet. */
  appendExemplar(labels: Labels, e: StoredExemplar): void {
    this.inner.appendExemplar?.(labels, e);
  }

  append(labels: Labels, t: number, v: number, key = labelsKey(labels)): void {
    this.inner.append(labels, t, v, key);
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = { labels, samples: new SampleBuffer() }));
    // Typed arrays: a stale marker must keep its exact NaN bits on the way out.
    s.samples.push(t, v);
  }

  async commit(): Promise<AppendResult> {
    const series = this.series;
    const histograms = this.histograms;
    this.series = new Map();
    this.histograms = [];
    const res = await this.inner.commit();
    if (series.size > 0 || histograms.length > 0) {
      await Promise.all(this.targets.map((t) => enqueueTo(t, series, t.settings.sendNativeHistograms === true ? histograms : [])));
    }
    return res;
  }

  rollback(): void {
    this.series = new Map();
    this.histograms = [];
    this.inner.rollback();
  }
}

/** The series' labels as target `t` sends them (external labels added, then
 * write_relabel_configs), or null when relabelling drops it. */
function targetLabels(t: RemoteWriteTarget, ext: [string, string][], labels: Labels): Labels | null {
  let ls: Labels | null = labels;
  if (ext.length > 0) {
    const b = new LabelsBuilder(ls);
    for (const [k, v] of ext) if (!ls.some((l) => l.name === k)) b.set(k, v);
    ls = b.labels();
  }
  if (t.relabel.length > 0) ls = relabel(ls, t.relabel);
  return ls === null || ls.length === 0 ? null : ls;
}

function enqueueTo(t: RemoteWriteTarget, series: Map<string, Buffered>, histograms: readonly BufferedHistogram[]): Promise<unknown> {
  const ext = Object.entries(t.externalLabels);
  // Relabelled series may collide; merge them.
  const out = new Map<string, SampleBuffer[]>();
  let n = 0;
  for (const s of series.values()) {
    const ls = targetLabels(t, ext, s.labels);
    if (ls === null) continue;
    const key = labelsKey(ls);
    const parts = out.get(key);
    if (parts === undefined) out.set(key, [s.samples]);
    else parts.push(s.samples);
    n += s.samples.n;
  }
  const hs: NonNullable<QueueBatch["histograms"]> = [];
  for (const x of histograms) {
    const ls = targetLabels(t, ext, x.labels);
    if (ls !== null) hs.push({ key: labelsKey(ls), t: x.t, h: { ...x.h } });
  }
  if (n === 0 && hs.length === 0) return Promise.resolve();
  const batch: QueueBatch = { keys: [], counts: new Uint32Array(out.size), ts: new Float64Array(n), vs: new Float64Array(n) };
  if (hs.length > 0) batch.histograms = hs;
  let o = 0;
  for (const [key, parts] of out) {
    let count = 0;
    for (const p of parts) {
      batch.ts.set(p.ts.subarray(0, p.n), o + count);
      batch.vs.set(p.vs.subarray(0, p.n), o + count);
      count += p.n;
    }
    batch.counts[batch.keys.length] = count;
    batch.keys.push(key);
    o += count;
  }
  return t.sink().enqueue(t.settings, batch);
}

/** `storage` whose appenders tee into the remote_write targets (itself when none). */
export function teeStorage(storage: Storage, targets: readonly RemoteWriteTarget[]): Storage {
  if (targets.length === 0) return storage;
  const tee: Storage = {
    querier: () => storage.querier(),
    stats: () => storage.stats(),
    deleteSeries: (m, start, end, deadline) => storage.deleteSeries(m, start, end, deadline),
    appender: (refs) => new TeeAppender(storage.appender(refs), targets),
  };
  const group = storage.appendGroup?.bind(storage);
  if (group !== undefined) {
    // Each member's commit is grouped in storage and then enqueued as it is today.
    tee.appendGroup = (waitMs) => {
      const g = group(waitMs);
      return {
        join: () => {
          const member = g.join();
          return { ...teeStorage(member, targets), leave: () => member.leave() };
        },
      };
    };
  }
  return tee;
}
