import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/series_store/migrations.js";
import { compareLabels, labelsFromKey, labelsKey, type Labels } from "../model/labels.js";
import { newMatcher, type Matcher } from "../model/matchers.js";
import { parseDuration } from "../model/time.js";
import { parseBytes } from "../model/units.js";
import { MemSeries, type SealedChunk } from "./mem_series.js";
import { DEFAULT_STORE_OPTIONS, type StoreOptions } from "./options.js";
import { Deadline } from "./deadline.js";
import { PostingsIndex } from "./postings.js";
import { ExemplarStorage, type ExemplarSeries } from "./exemplar_storage.js";
import type {
  AppendAnswer,
  AppendResult,
  AppendSeries,
  AppendBatch,
  ChunkData,
  ExemplarAppend,
  ExemplarAppendResult,
  HistogramBatch,
  LatestColumns,
  MatcherSpec,
  Rejection,
  SelectCursor,
  SelectMode,
  SelectPage,
  SeriesChunks,
  StoreStats,
} from "./rpc.js";
import { toAppendBatch, type SeriesStoreRpc } from "./rpc.js";
import { meterMethods, UsageMeter, type SqlExec } from "./usage_meter.js";
import { readWalRecord, WalWriter } from "./wal.js";
import { decodeHistogramSamples, encodeHistogramSamples, type MixedSample } from "./histogram_record.js";
import type { BlockChunk } from "./block.js";
import { partitionOf } from "./block.js";
import { BlockStore } from "./block_store.js";
import { decodeSnapshotPart, encodeSnapshot, type HeadEntry, type Snapshot } from "./head_snapshot.js";
import { convertLegacyRows } from "./legacy_rows.js";
import { readChunks, SampleBuffer, searchTime, type SampleArrays } from "./chunk_reader.js";
import { DecodedHeads } from "./decoded_heads.js";
import { DecodedChunks } from "./decoded_chunks.js";
import { groupSlots, PushdownAccumulator, type GroupSlots, type PartialAggregate, type PushdownPlan } from "./pushdown.js";
import { SeriesCatalog } from "./series_catalog.js";
import type { AggregateAnswer, AggregateRequest, StorageLayout } from "./rpc.js";
import { rearmingAlarm } from "../durable/alarm.js";

const DEFAULT_MAX_EXEMPLARS = 100_000;

/** STORAGE_EXEMPLARS_MAX is like storage.exemplars.max_exemplars, for the whole tier:
 * each shard keeps its share in memory (default 100000; 0 turns exemplar storage off). */
function exemplarCapacity(env: Env): number {
  const raw = env.STORAGE_EXEMPLARS_MAX;
  const total = raw === undefined || raw === "" ? DEFAULT_MAX_EXEMPLARS : Number(raw);
  if (!Number.isFinite(total) || total < 0) throw new Error(`STORAGE_EXEMPLARS_MAX: not a count of exemplars: ${JSON.stringify(raw)}`);
  return Math.ceil(total / Math.max(1, Number(env.SHARDS || "1")));
}

const MAX_REJECTIONS_PER_BATCH = 10;
const RECENT_REJECTIONS = 50;
const QUERY_CACHE_TTL_MS = 60_000;
const DEFAULT_PAGE = 1000;
/** Matcher sets whose label order a shard keeps (sortedResolved), and the largest
 * list it keeps: at most about 64 x 64K ids. */
const SORTED_CACHE_ENTRIES = 64;
const SORTED_CACHE_MAX_IDS = 1 << 16;
/** Groupings whose group slots a kept matcher set keeps (SortedSelection.slots). */
const GROUP_SLOT_ENTRIES = 8;

/** A matcher set's series in label order (sortedResolved), and what pushed-down reads
 * of them keep: the series themselves and their groups by grouping. */
interface SortedSelection {
  version: string;
  ids: number[];
  series: MemSeries[];
  slots?: Map<string, GroupSlots>;
}
/** Heads a shard keeps decoded for pushed-down reads (DecodedHeads): at most about
 * 16 MiB of samples. */
const DECODED_HEADS = 8192;
/** Sealed chunks a shard keeps decoded for pushed-down reads (DecodedChunks): 16 MiB,
 * a million samples. */
const DECODED_CHUNK_BYTES = 16 << 20;
/** Largest WAL row; SQLite in a Durable Object refuses strings and blobs over 2 MB. */
const WAL_ROW_BYTES = 1 << 20;

/** One caller's batch within an append transaction: its series sent by reference
 * (resolved), where the references of its series sent by key go, and its result. */
interface Section {
  batch: AppendBatch;
  byRef: readonly MemSeries[];
  refs: Uint32Array;
  result: AppendResult;
}

/** Storage settings arrive as Worker vars (STORAGE_RETENTION, STORAGE_OOO_WINDOW,
 * STORAGE_RETENTION_SIZE for the whole tier, split over SHARDS), the way Prometheus
 * takes them as flags; an empty var means the default. */
function optionsFrom(env: Env): StoreOptions {
  return {
    ...DEFAULT_STORE_OPTIONS,
    retentionMs: env.STORAGE_RETENTION ? parseDuration(env.STORAGE_RETENTION) : DEFAULT_STORE_OPTIONS.retentionMs,
    oooWindowMs: env.STORAGE_OOO_WINDOW ? parseDuration(env.STORAGE_OOO_WINDOW) : DEFAULT_STORE_OPTIONS.oooWindowMs,
    retentionBytes: env.STORAGE_RETENTION_SIZE ? Math.floor(parseBytes(env.STORAGE_RETENTION_SIZE) / Math.max(1, Number(env.SHARDS || "1"))) : 0,
  };
}

function toBlob(b: Uint8Array): ArrayBuffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength
    ? (b.buffer as ArrayBuffer)
    : (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
}

function toMatchers(specs: readonly MatcherSpec[]): Matcher[] {
  return specs.map((m) => newMatcher(m.type, m.name, m.value));
}

/**
 * One shard of a tier's series. Every append request (one batch, or the sections of
 * several callers: a scrape alarm's targets) is written to SQLite (WAL row, new
 * series, sealed chunks) inside one synchronous transaction before the RPC returns,
 * so an acknowledged sample survives eviction and restarts. Reads are served
 * from the in-memory postings and head plus sealed chunks read from SQLite.
 */
export class SeriesStore extends DurableObject<Env> implements SeriesStoreRpc {
  /** Requests, rows and busy time, for the cost of a sample or a query. */
  readonly meter = new UsageMeter();
  private readonly sql: SqlExec;
  private readonly opts: StoreOptions;
  /** In memory only, as in Prometheus: a restart starts with no exemplars. */
  private readonly exemplars: ExemplarStorage;
  private byId = new Map<number, MemSeries>();
  /** The series by their references (MemSeries.ref), which callers send instead of
   * labels: an array indexed without hashing, once per series per scrape. Not by id,
   * since ids are never reused and churn would leave it mostly holes; an epoch's
   * references stay dense, and a new epoch (load, dropped series) renumbers them. */
  private byRef: MemSeries[] = [];
  private byKey = new Map<string, MemSeries>();
  private postings = new PostingsIndex();
  private seq = 0;
  private nextSeriesId = 1;
  /** Series references (ids) handed to appenders hold while this stays the same: it
   * changes when the object starts, rebuilds memory or drops series. */
  private epoch = 0;
  private walBytes = 0;
  /** The float append path's WAL record buffer, kept from one batch to the next. */
  private readonly wal = new WalWriter();
  private readonly queries = new Map<string, { ids: number[]; mint: number; maxt: number; expires: number }>();
  /** sortedResolved's answers by matcher set, valid while `version` (epoch and next
   * series id) stays the same. */
  private readonly sortedCache = new Map<string, SortedSelection>();
  private readonly blocks: BlockStore;
  private readonly catalog: SeriesCatalog;
  /** Chunks sealed since the last checkpoint, by series: durable through the WAL
   * (replay seals them again) and packed into block rows at the next checkpoint. */
  private pending = new Map<number, SealedChunk[]>();
  private readonly pendingStats = { chunks: 0, bytes: 0, samples: 0 };
  private readonly stats = {
    samplesAppended: 0,
    outOfOrderAccepted: 0,
    outOfOrderRejected: 0,
    duplicateRejected: 0,
    tooOldRejected: 0,
    retentionDeletedChunks: 0,
    retentionDeletedSeries: 0,
    sizeRetentions: 0,
    sizeRetentionDeletedChunks: 0,
    sizeRetentionDeletedBytes: 0,
  };
  private recent: Rejection[] = [];
  /** Series created by the running append, written to SQLite at its end. */
  private newSeries: MemSeries[] = [];
  private readonly decodedHeads = new DecodedHeads(DECODED_HEADS);
  private readonly decodedChunks = new DecodedChunks(DECODED_CHUNK_BYTES);
  /** samplesOf's joined runs, used up by the caller before its next read. */
  private readonly sampleBuffer = new SampleBuffer();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = this.meter.sql(ctx.storage.sql);
    this.opts = optionsFrom(env);
    this.exemplars = new ExemplarStorage(exemplarCapacity(env));
    this.blocks = new BlockStore(this.sql);
    this.catalog = new SeriesCatalog(this.sql, (id) => this.byId.get(id)?.labels);
    // Migrations and recovery are synchronous SQLite work, done before any request.
    migrate(drizzle(ctx.storage), migrations);
    this.load();
    void ctx.blockConcurrencyWhile(async () => {
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + this.opts.alarmIntervalMs);
    });
  }

  // ---- recovery ---------------------------------------------------------------

  private load(): void {
    this.decodedHeads.clear();
    this.epoch = newEpoch(this.epoch);
    this.byId = new Map();
    this.byRef = [];
    this.byKey = new Map();
    this.postings = new PostingsIndex();
    this.pending = new Map();
    this.pendingStats.chunks = this.pendingStats.bytes = this.pendingStats.samples = 0;
    this.ctx.storage.transactionSync(() => convertLegacyRows(this.sql, this.catalog, this.blocks));
    let maxId = 0;
    this.catalog.load((c) => {
      const s = this.track(new MemSeries(c.id, c.labels, labelsKey(c.labels)));
      if (s.id > maxId) maxId = s.id;
    });
    this.blocks.load();
    this.blocks.scan((id, minT, maxT, ooo) => {
      const s = this.byId.get(id);
      if (s === undefined) return;
      if (minT < s.minT) s.minT = minT;
      if (ooo) s.hasOOOChunks = true;
      else if (maxT > s.maxT) s.maxT = maxT;
    });

    const snap: Snapshot = { seq: 0, nextSeriesId: 0, entries: [] };
    for (const row of this.sql.exec<{ seq: number; data: ArrayBuffer }>("SELECT seq, data FROM head_snapshot ORDER BY part")) {
      snap.seq = row.seq;
      decodeSnapshotPart(new Uint8Array(row.data), snap);
    }
    this.nextSeriesId = Math.max(maxId + 1, snap.nextSeriesId);
    let seq = snap.seq;
    for (const s of this.byId.values()) s.rowSeq = snap.seq;
    for (const e of snap.entries) this.byId.get(e.id)?.restore(e.head, e.ooo, e.hist ?? null, e.histEnc);
    // Per-series head rows of schema 0000, until the first checkpoint replaces them.
    let legacyHeads = false;
    for (const row of this.sql.exec<{ series_id: number; seq: number; head: ArrayBuffer | null; ooo: ArrayBuffer | null }>(
      "SELECT series_id, seq, head, ooo FROM head_chunks",
    )) {
      legacyHeads = true;
      const s = this.byId.get(row.series_id);
      if (s === undefined) continue;
      s.rowSeq = row.seq;
      s.restore(row.head && new Uint8Array(row.head), row.ooo && new Uint8Array(row.ooo));
      if (row.seq > seq) seq = row.seq;
    }
    this.walBytes = 0;
    const sealed: SealedChunk[] = [];
    for (const row of this.sql.exec<{ seq: number; data: ArrayBuffer }>("SELECT seq, data FROM wal ORDER BY seq")) {
      this.walBytes += row.data.byteLength;
      if (row.seq > seq) seq = row.seq;
      for (const rec of readWalRecord(new Uint8Array(row.data))) {
        const s = this.byId.get(rec.id);
        if (s === undefined || row.seq <= s.rowSeq) continue;
        if (rec.histograms !== undefined) {
          for (const { t, h } of decodeHistogramSamples(rec.histograms)) s.appendHistogram(t, h!, sealed);
        } else {
          for (let i = 0; i < rec.ts.length; i++) s.append(rec.ts[i]!, rec.vs[i]!, Infinity, sealed);
        }
        // A seal always rewrites the series' row in the same transaction, so records
        // after that row can never seal again; persisting defensively keeps it true.
        if (sealed.length > 0) this.writeSealed(s, sealed.splice(0), row.seq);
      }
    }
    this.seq = seq;
    if (legacyHeads) this.ctx.storage.transactionSync(() => this.checkpointTx());
  }

  // ---- writes -----------------------------------------------------------------

  /** Appends a batch; durable once this returns. Series sent by reference are found
   * by reference, without their labels; references from another epoch refuse the batch. */
  append(input: AppendBatch | AppendSeries[]): AppendAnswer {
    const batch = Array.isArray(input) ? toAppendBatch(input) : input;
    const answer = this.appendBatches([batch])[0]!;
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer;
  }

  /**
   * Several callers' batches (the targets one scheduler alarm scraped) in one request
   * and one SQLite transaction, each answered as `append` would answer it alone: its
   * own counts, rejections and references. A section with stale references or a series
   * that cannot be stored is refused whole (staleRefs / error) without touching the
   * others; all are durable once this returns.
   */
  appendSections(batches: AppendBatch[]): AppendAnswer[] {
    return this.appendBatches(batches);
  }

  /** append and appendSections, without counting a request (they are the entry points). */
  private appendBatches(batches: readonly AppendBatch[]): AppendAnswer[] {
    const answers: AppendAnswer[] = [];
    const live: Section[] = [];
    for (const batch of batches) {
      const refs = new Uint32Array(batch.keys.length);
      const answer: AppendAnswer = { appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [], epoch: this.epoch, refs };
      answers.push(answer);
      const byRef = this.resolveRefs(batch);
      if (byRef === undefined) answer.staleRefs = true;
      else {
        const error = this.unstorableKey(batch.keys);
        if (error !== undefined) answer.error = error;
        else live.push({ batch, byRef, refs, result: answer });
      }
    }
    if (live.length > 0) this.appendCommitted(() => this.appendTx(live));
    return answers;
  }

  /** Why one of `keys` cannot become a series, checked before anything is written so
   * that one caller's bad series does not fail the others of its request. */
  private unstorableKey(keys: readonly string[]): string | undefined {
    for (const key of keys) {
      if (this.byKey.has(key)) continue;
      if (labelsFromKey(key).length === 0) return "series without labels cannot be stored";
    }
    return undefined;
  }

  /** The series of the batch's references, undefined when they are not this epoch's. */
  private resolveRefs(batch: AppendBatch): MemSeries[] | undefined {
    const refs = batch.refs;
    if (refs === undefined || refs.length === 0) return [];
    if (batch.epoch !== this.epoch) return undefined;
    const out: MemSeries[] = new Array(refs.length);
    const byRef = this.byRef;
    for (let i = 0; i < refs.length; i++) {
      const s = byRef[refs[i]!];
      // References are renumbered only with a new epoch, so this is a sender's
      // mistake; refusing keeps it from writing anywhere.
      if (s === undefined) return undefined;
      out[i] = s;
    }
    return out;
  }

  /** Runs one append transaction; a failed one leaves memory as SQLite has it. */
  private appendCommitted(tx: () => void): void {
    try {
      this.ctx.storage.transactionSync(tx);
    } catch (e) {
      // Memory may hold half of a batch SQLite rolled back; rebuild it from disk.
      this.newSeries = [];
      this.load();
      throw e;
    }
    if (this.walBytes >= this.opts.checkpointWalBytes) this.checkpoint();
  }

  /** The sections' accepted samples go into shared WAL rows (one row for a scrape
   * alarm's worth), each section counting into its own result. */
  private appendTx(sections: readonly Section[]): void {
    // A WAL row holds at most WAL_ROW_BYTES (SQLite in a Durable Object refuses rows
    // over 2 MB); a bigger batch takes consecutive sequence numbers, one per row.
    let seq = this.seq + 1;
    let lastSeq = this.seq;
    // A series whose sealed chunks were kept at `seq` (MemSeries.sealedAt) must have
    // any later record of this batch land in a later row, or replay would skip it.
    // Rows of earlier transactions are at most this.seq, so the mark needs no reset.
    // Two floats per sample at most, plus a record header per series.
    let floats = 8;
    for (const { batch } of sections) floats += 2 * batch.ts.length + 2 * batch.counts.length;
    const wal = this.wal;
    wal.reset(Math.min(WAL_ROW_BYTES / 8 + 64, floats));
    const flush = () => {
      if (!wal.isEmpty()) {
        const data = wal.take();
        this.sql.exec("INSERT INTO wal (seq, data) VALUES (?, ?)", seq, toBlob(data));
        this.walBytes += data.byteLength;
        lastSeq = seq;
      }
      seq++;
    };
    const sealed: SealedChunk[] = [];
    const minValid = Date.now() - this.opts.retentionMs;
    const oooWindow = this.opts.oooWindowMs;
    for (const { batch, byRef, refs, result } of sections) {
      const { ts, vs } = batch;
      let end = 0;
      const byKey = batch.keys.length;
      for (let k = 0; k < byKey + byRef.length; k++) {
        let s: MemSeries;
        if (k < byKey) refs[k] = (s = this.getOrCreate(batch.keys[k]!)).ref;
        else s = byRef[k - byKey]!;
        if (s.sealedAt === seq || wal.byteLength() >= WAL_ROW_BYTES) flush();
        wal.startSeries(s.id);
        const start = end;
        end += batch.counts[k]!;
        for (let i = start; i < end; i++) {
          const t = ts[i]!;
          const v = vs[i]!;
          if (t < minValid) {
            this.reject(result, s, t, "too_old", minValid - t);
            continue;
          }
          const outcome = s.append(t, v, oooWindow, sealed);
          switch (outcome) {
            case "ok":
              wal.add(t, v);
              result.appended++;
              break;
            case "ooo":
              wal.add(t, v);
              result.appended++;
              result.outOfOrderAccepted++;
              break;
            case "same":
              break;
            case "duplicate":
              this.reject(result, s, t, "duplicate", 0);
              break;
            case "out_of_order":
              this.reject(result, s, t, "out_of_order", s.maxT - t);
              break;
          }
          if (wal.byteLength() >= WAL_ROW_BYTES) {
            wal.endSeries();
            flush();
            wal.startSeries(s.id);
          }
        }
        wal.endSeries();
        if (sealed.length > 0) {
          this.writeSealed(s, sealed.splice(0), seq);
          s.sealedAt = seq;
          lastSeq = seq;
        }
      }
    }
    flush();
    this.insertNewSeries();
    this.seq = lastSeq;
    for (const { result } of sections) {
      this.stats.samplesAppended += result.appended;
      this.stats.outOfOrderAccepted += result.outOfOrderAccepted;
    }
  }

  /** Appends the samples of series with native histograms (and their floats, in
   * order); durable once this returns. Out-of-order histograms are refused;
   * duplicates and samples older than retention are as for floats. */
  appendHistograms(batch: HistogramBatch): AppendResult {
    const result: AppendResult = { appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] };
    this.appendCommitted(() => this.appendHistogramsTx(batch, result));
    return result;
  }

  private appendHistogramsTx(batch: HistogramBatch, result: AppendResult): void {
    let seq = this.seq + 1;
    let lastSeq = this.seq;
    const wal = new WalWriter();
    const flush = () => {
      if (wal.isEmpty()) return;
      const data = wal.take();
      this.sql.exec("INSERT INTO wal (seq, data) VALUES (?, ?)", seq, toBlob(data));
      this.walBytes += data.byteLength;
      lastSeq = seq++;
    };
    const sealed: SealedChunk[] = [];
    const minValid = Date.now() - this.opts.retentionMs;
    for (let k = 0; k < batch.keys.length; k++) {
      const s = this.getOrCreate(batch.keys[k]!);
      // Accepted samples go to the WAL in order, a record per run of one kind.
      let run: MixedSample[] = [];
      const writeRun = () => {
        if (run.length === 0) return;
        if (run[0]!.h !== undefined) {
          const rec = encodeHistogramSamples(run);
          if (wal.byteLength() + rec.byteLength >= WAL_ROW_BYTES) flush();
          wal.addHistograms(s.id, rec);
        } else {
          if (wal.byteLength() + run.length * 16 >= WAL_ROW_BYTES) flush();
          wal.startSeries(s.id);
          for (const x of run) wal.add(x.t, x.v!);
          wal.endSeries();
        }
        run = [];
      };
      for (const sample of decodeHistogramSamples(batch.data[k]!)) {
        const { t, h } = sample;
        if (t < minValid) {
          this.reject(result, s, t, "too_old", minValid - t);
          continue;
        }
        const outcome = h !== undefined ? s.appendHistogram(t, h, sealed) : s.append(t, sample.v!, this.opts.oooWindowMs, sealed);
        if (outcome === "ok" || outcome === "ooo") {
          if (run.length > 0 && (run[0]!.h === undefined) !== (h === undefined)) writeRun();
          run.push(sample);
          result.appended++;
          if (outcome === "ooo") result.outOfOrderAccepted++;
        } else if (outcome === "duplicate") this.reject(result, s, t, "duplicate", 0);
        else if (outcome === "out_of_order") this.reject(result, s, t, "out_of_order", s.maxT - t);
      }
      writeRun();
      if (sealed.length > 0) this.writeSealed(s, sealed.splice(0), seq);
    }
    flush();
    this.insertNewSeries();
    this.seq = lastSeq;
    this.stats.samplesAppended += result.appended;
    this.stats.outOfOrderAccepted += result.outOfOrderAccepted;
  }

  private reject(result: AppendResult, s: MemSeries, t: number, reason: Rejection["reason"], skewMs: number): void {
    result.rejected++;
    if (reason === "out_of_order") this.stats.outOfOrderRejected++;
    else if (reason === "duplicate") this.stats.duplicateRejected++;
    else this.stats.tooOldRejected++;
    const r: Rejection = { series: s.key, t, reason, skewMs };
    if (result.rejections.length < MAX_REJECTIONS_PER_BATCH) result.rejections.push(r);
    this.recent.push(r);
    if (this.recent.length > RECENT_REJECTIONS) this.recent.shift();
  }

  private getOrCreate(key: string): MemSeries {
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    const labels = labelsFromKey(key);
    if (labels.length === 0) throw new Error("series without labels cannot be stored");
    const s = this.track(new MemSeries(this.nextSeriesId++, labels, key));
    this.newSeries.push(s);
    return s;
  }

  /** Indexes a series by id, reference, key and labels. */
  private track(s: MemSeries): MemSeries {
    this.byId.set(s.id, s);
    s.ref = this.byRef.length;
    this.byRef.push(s);
    this.byKey.set(s.key, s);
    this.postings.add(s.id, s.labels);
    return s;
  }

  /** Writes the series created by this batch, many per row (series_catalog.ts);
   * postings are rebuilt from their labels when the object starts. */
  private insertNewSeries(): void {
    const list = this.newSeries;
    if (list.length === 0) return;
    this.newSeries = [];
    this.catalog.add(list.map((s) => ({ id: s.id, labels: s.labels })));
  }

  /** Keeps chunks sealed by an append until the next checkpoint packs them into
   * block rows: the WAL already holds their samples, and replay seals them again. */
  private writeSealed(s: MemSeries, sealed: SealedChunk[], _seq: number): void {
    let list = this.pending.get(s.id);
    if (list === undefined) this.pending.set(s.id, (list = []));
    for (const c of sealed) {
      list.push(c);
      if (c.ooo) s.hasOOOChunks = true;
      this.pendingStats.chunks++;
      this.pendingStats.bytes += c.data.byteLength;
      this.pendingStats.samples += c.count;
    }
  }

  /** Packs the chunks sealed since the last checkpoint into block rows, writes every
   * head as one snapshot (a few rows) and truncates the WAL. */
  checkpoint(): void {
    if (this.walBytes === 0 && this.pendingStats.chunks === 0) return;
    this.inTx(() => this.checkpointTx());
  }

  private checkpointTx(): void {
    const chunks: BlockChunk[] = [];
    for (const [id, list] of this.pending) for (const c of list) chunks.push({ seriesId: id, minT: c.minT, maxT: c.maxT, count: c.count, ooo: c.ooo, ...(c.enc !== undefined ? { enc: c.enc } : {}), data: c.data });
    this.blocks.write(chunks);
    this.pending = new Map();
    this.pendingStats.chunks = this.pendingStats.bytes = this.pendingStats.samples = 0;
    this.sql.exec("DELETE FROM head_snapshot");
    const parts = encodeSnapshot(this.nextSeriesId, this.headEntries());
    parts.forEach((p, i) => this.sql.exec("INSERT INTO head_snapshot (part, seq, data) VALUES (?, ?, ?)", i, this.seq, toBlob(p)));
    this.sql.exec("DELETE FROM wal WHERE seq <= ?", this.seq);
    this.sql.exec("DELETE FROM head_chunks");
    for (const s of this.byId.values()) {
      s.rowSeq = this.seq;
      s.dirty = false;
    }
    this.walBytes = 0;
  }

  private *headEntries(): Generator<HeadEntry> {
    for (const s of this.byId.values()) yield { id: s.id, head: s.headBytes(), ooo: s.oooBytes(), hist: s.histHeadBytes(), histEnc: s.histHeadEncoding() };
  }

  /** Runs fn in a transaction; when it fails, memory (which may hold half of it) is
   * rebuilt from SQLite. */
  private inTx<T>(fn: () => T): T {
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (e) {
      this.newSeries = [];
      this.load();
      throw e;
    }
  }

  // ---- exemplars ------------------------------------------------------------------

  /** Stores exemplars of this shard's series. Like Prometheus' remote write receiver,
   * refused ones are counted, never an error: exemplar storage is best effort. */
  appendExemplars(list: ExemplarAppend[]): ExemplarAppendResult {
    const res: ExemplarAppendResult = { appended: 0, outOfOrder: 0, tooLong: 0 };
    for (const e of list) {
      const outcome = this.exemplars.add(e.key, { labels: e.labels, v: e.v, t: e.t });
      if (outcome === "ok") res.appended++;
      else if (outcome === "out_of_order") res.outOfOrder++;
      else if (outcome === "too_long") res.tooLong++;
    }
    return res;
  }

  /** Exemplars in [mint, maxt] of series matching any of the matcher sets. */
  selectExemplars(sets: MatcherSpec[][], mint: number, maxt: number): ExemplarSeries[] {
    return this.exemplars.select(mint, maxt, sets.map(toMatchers));
  }

  // ---- retention ----------------------------------------------------------------

  override async alarm(): Promise<void> {
    // Retention and checkpoints must not stop because one pass failed.
    const log = (error: string) => console.log(JSON.stringify({ event: "retention_alarm_failed", error }));
    await rearmingAlarm(
      this.ctx.storage,
      () => {
        this.enforceRetention(Date.now() - this.opts.retentionMs);
        this.checkpoint();
        this.compact();
        if (this.opts.retentionBytes > 0) this.enforceSizeRetention(this.opts.retentionBytes);
        return Date.now() + this.opts.alarmIntervalMs;
      },
      { retryMs: this.opts.alarmIntervalMs, log },
    );
  }

  /** Merges the block rows of 2h ranges no in-order sample can reach any more (older
   * than the newest sample minus the out-of-order window), and small series segments. */
  compact(): void {
    let newest = -Infinity;
    for (const s of this.byId.values()) if (s.maxT > newest) newest = s.maxT;
    if (newest === -Infinity) return;
    this.inTx(() => {
      this.blocks.compact(partitionOf(newest - this.opts.oooWindowMs));
      this.catalog.compact();
    });
  }

  /** Deletes blocks wholly older than `cutoff` (as Prometheus drops blocks past its
   * retention), then series left with no samples whose head ended before
   * `seriesCutoff` (by default `cutoff`). */
  enforceRetention(cutoff: number, seriesCutoff = cutoff): { chunks: number; series: number } {
    let deletedChunks = 0;
    let deletedSeries = 0;
    // Chunks sealed since the last checkpoint go into blocks first, to go with them.
    if (this.pendingStats.chunks > 0) this.checkpoint();
    this.inTx(() => {
      const touched = new Set<number>();
      deletedChunks = this.blocks.deleteBefore(cutoff, touched).chunks;
      for (const s of this.byId.values()) if (Math.max(s.maxT, s.oooMaxT()) < seriesCutoff) touched.add(s.id);
      if (touched.size === 0) return;
      const chunkMin = this.chunkMinima(touched);
      const dead: MemSeries[] = [];
      for (const id of touched) {
        const s = this.byId.get(id);
        if (s === undefined) continue;
        const min = chunkMin.get(id);
        if (min === undefined && Math.max(s.maxT, s.oooMaxT()) < seriesCutoff) dead.push(s);
        else s.minT = Math.min(min ?? Infinity, s.openHeadMinT(), s.oooMinT());
      }
      deletedSeries = dead.length;
      if (dead.length > 0) {
        this.dropSeries(dead);
        // Records the ids handed out, so none is reused with the dead series' WAL.
        this.checkpointTx();
      }
    });
    this.stats.retentionDeletedChunks += deletedChunks;
    this.stats.retentionDeletedSeries += deletedSeries;
    return { chunks: deletedChunks, series: deletedSeries };
  }

  /** The oldest chunk start of each of `ids` that still has sealed chunks. */
  private chunkMinima(ids: ReadonlySet<number>): Map<number, number> {
    const out = new Map<number, number>();
    const note = (id: number, minT: number) => {
      if (!ids.has(id)) return;
      const m = out.get(id);
      if (m === undefined || minT < m) out.set(id, minT);
    };
    this.blocks.scan((id, minT) => note(id, minT));
    for (const [id, list] of this.pending) for (const c of list) note(id, c.minT);
    return out;
  }

  /** Bytes that count against the size limit: sealed chunks and the WAL since the
   * last checkpoint (the equivalent of Prometheus' blocks plus WAL). */
  storedBytes(): number {
    return this.blocks.bytes + this.pendingStats.bytes + this.walBytes;
  }

  /**
   * Deletes the oldest sealed chunks (by end time) until the stored bytes fit under
   * `limit`, then series left with nothing, as Prometheus deletes its oldest blocks
   * for --storage.tsdb.retention.size; only the block at the edge is rewritten. Open
   * head chunks are never deleted: they hold the newest samples.
   */
  enforceSizeRetention(limit: number): { chunks: number; bytes: number } {
    if (this.storedBytes() <= limit) return { chunks: 0, bytes: 0 };
    if (this.pendingStats.chunks > 0) this.checkpoint();
    const excess = this.storedBytes() - limit;
    if (excess <= 0) return { chunks: 0, bytes: 0 };
    const gone = this.inTx(() => this.blocks.deleteOldest(excess, new Set()));
    if (gone.chunks === 0) return { chunks: 0, bytes: 0 };
    // Series whose remaining data all ended before the newest deleted chunk go too.
    const { series } = this.enforceRetention(Number.MIN_SAFE_INTEGER, gone.cutoff + 1);
    this.stats.sizeRetentions++;
    this.stats.sizeRetentionDeletedChunks += gone.chunks;
    this.stats.sizeRetentionDeletedBytes += gone.bytes;
    console.log(JSON.stringify({ event: "size_retention", limit_bytes: limit, deleted_chunks: gone.chunks, deleted_bytes: gone.bytes, deleted_series: series }));
    return { chunks: gone.chunks, bytes: gone.bytes };
  }

  /** Forgets series (memory, catalog rows); their heads leave the snapshot at the
   * caller's checkpoint. */
  private dropSeries(list: readonly MemSeries[]): void {
    this.epoch = newEpoch(this.epoch);
    this.catalog.delete(list.map((s) => s.id));
    for (const s of list) {
      this.byId.delete(s.id);
      this.byKey.delete(s.key);
      this.postings.delete(s.id, s.labels);
      this.pending.delete(s.id);
      this.decodedHeads.forget(s);
    }
    this.byRef = [...this.byId.values()];
    for (let i = 0; i < this.byRef.length; i++) this.byRef[i]!.ref = i;
  }

  // ---- deletion -------------------------------------------------------------------

  /**
   * Deletes the samples of matching series within [mint, maxt], as Prometheus'
   * delete_series does, but by rewriting the affected blocks rather than keeping
   * tombstones: chunks inside the range go, chunks across its edge are re-encoded
   * without those samples, the head is filtered, and a checkpoint in the same
   * transaction replaces the heads and the WAL so replay cannot bring samples back.
   * A series left with nothing is removed.
   */
  deleteRange(specs: MatcherSpec[], mint: number, maxt: number, deadline?: number): { series: number; samples: number } {
    let removedSeries = 0;
    let removedSamples = 0;
    // The deadline only applies while matching: once deleting starts, it completes.
    const ids = new Set(this.matching(toMatchers(specs), mint, maxt, new Deadline(deadline)));
    if (ids.size === 0) return { series: 0, samples: 0 };
    this.inTx(() => {
      // Sealed chunks into blocks first, so one rewrite covers them all.
      this.checkpointTx();
      const removed = this.blocks.deleteRange(ids, mint, maxt);
      const chunkMin = this.chunkMinima(ids);
      const dead: MemSeries[] = [];
      for (const id of ids) {
        const s = this.byId.get(id)!;
        removedSamples += (removed.get(id) ?? 0) + s.deleteHeadRange(mint, maxt);
        const min = chunkMin.get(id);
        if (min === undefined && s.headSamples() === 0) {
          dead.push(s);
          continue;
        }
        s.minT = Math.min(min ?? Infinity, s.openHeadMinT(), s.oooMinT());
      }
      removedSeries = dead.length;
      this.dropSeries(dead);
      this.checkpointTx();
    });
    this.queries.clear();
    return { series: removedSeries, samples: removedSamples };
  }

  /** Rows this object read and wrote so far, and how its data is laid out in rows. */
  storageLayout(): StorageLayout {
    const count = (table: string) => this.ctx.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return {
      rowsRead: this.meter.usage().rowsRead,
      rowsWritten: this.meter.usage().rowsWritten,
      blockRows: this.blocks.count,
      seriesSegmentRows: this.catalog.segments,
      headSnapshotRows: count("head_snapshot"),
      walRows: count("wal"),
      sealedChunks: this.blocks.chunks + this.pendingStats.chunks,
      pendingChunks: this.pendingStats.chunks,
    };
  }

  // ---- reads --------------------------------------------------------------------

  /** Matching series with their chunks overlapping [mint, maxt], sorted by labels,
   * a page at a time so that no side holds every series of a large result. The cursor
   * carries the last returned series' key and the next page starts after it in label
   * order, so a page answered by a restarted object, or after series were deleted,
   * neither repeats nor skips a series; the cached match list only saves re-resolving. */
  select(specs: MatcherSpec[], mint: number, maxt: number, cursor?: SelectCursor, mode: SelectMode = "chunks", deadline?: number): SelectPage {
    const dl = new Deadline(deadline);
    dl.check();
    const limit = mode === "labels" ? DEFAULT_PAGE * 10 : DEFAULT_PAGE;
    let ids: number[];
    let offset = 0;
    let queryId = "";
    const cached = cursor && this.queries.get(cursor.queryId);
    if (cursor && cached && this.byId.get(cached.ids[cursor.offset - 1]!)?.key === cursor.after) {
      ids = cached.ids;
      offset = cursor.offset;
      queryId = cursor.queryId;
    } else {
      ids = this.sortedMatches(toMatchers(specs), mint, maxt, dl, cursor && labelsFromKey(cursor.after));
    }
    const end = Math.min(ids.length, offset + limit);
    const series: SeriesChunks[] = [];
    for (let i = offset; i < end; i++) {
      dl.tick();
      const s = this.byId.get(ids[i]!);
      if (s === undefined) continue;
      if (mode === "latest") series.push(this.latestOf(s, mint, maxt));
      else series.push({ key: s.key, chunks: mode === "labels" ? [] : this.chunksOf(s, mint, maxt) });
    }
    const latest = mode === "latest" ? this.latestColumns(series, mint, maxt) : undefined;
    const page: SelectPage = latest === undefined ? { series } : { series: [], latest };
    if (end >= ids.length) {
      if (queryId !== "") this.queries.delete(queryId);
      return page;
    }
    if (queryId === "") {
      queryId = crypto.randomUUID();
      this.queries.set(queryId, { ids, mint, maxt, expires: Date.now() + QUERY_CACHE_TTL_MS });
      this.expireQueries();
    }
    // The last id of the page always exists: deletes clear the cache synchronously.
    return { ...page, cursor: { queryId, offset: end, after: this.byId.get(ids[end - 1]!)!.key } };
  }

  /** Evaluates a pushed-down aggregation over the matching series in [mint, maxt]
   * (pushdown.ts): chunks are decoded here and only per-group partials go back. */
  selectAggregate(specs: MatcherSpec[], plan: PushdownPlan, mint: number, maxt: number, deadline?: number): PartialAggregate {
    const dl = new Deadline(deadline);
    dl.check();
    const acc = new PushdownAccumulator(plan);
    const sel = this.sortedSelection(toMatchers(specs), dl);
    const series = sel.series;
    if (plan.op !== "each") acc.useSlots(this.groupSlotsOf(sel, series, plan));
    for (let i = 0; i < series.length; i++) {
      dl.tick();
      const s = series[i]!;
      if (!overlaps(s, mint, maxt)) continue;
      const head = this.headWindow(s, mint, maxt);
      if (head !== null) {
        acc.addRange(s.labels, head.ts, head.vs, head.lo, head.hi, s.key, i);
        continue;
      }
      const { ts, vs, hs } = this.samplesOf(s, mint, maxt);
      // Histogram aggregation has its own rules and annotations: the engine's.
      if (hs !== undefined && hs.some((h) => h !== undefined)) return { ...acc.result(), declined: true };
      if (ts.length > 0) acc.addRange(s.labels, ts, vs, 0, ts.length, s.key, i);
    }
    return acc.result();
  }

  /** The groups of a selection's series for the plan's grouping, kept with it. */
  private groupSlotsOf(sel: SortedSelection, series: readonly MemSeries[], plan: PushdownPlan): GroupSlots {
    const key = `${plan.without ? "without" : "by"}\u0000${plan.grouping.join("\u0000")}`;
    const slots = (sel.slots ??= new Map());
    let hit = slots.get(key);
    if (hit === undefined) {
      hit = groupSlots(series, plan);
      if (slots.size >= GROUP_SLOT_ENTRIES) slots.clear();
      slots.set(key, hit);
    }
    return hit;
  }

  /**
   * s's samples in [mint, maxt] as an index range of its decoded head, when the head
   * holds all of them: no sealed chunk can (they end before the head starts), no
   * out-of-order samples overlap, and the head is XOR. A rule's window near "now" is
   * the usual case, and then there is no chunk list, join or view to make per series.
   */
  private headWindow(s: MemSeries, mint: number, maxt: number): { ts: Float64Array; vs: Float64Array; lo: number; hi: number } | null {
    if (s.head === null || s.hasOOOChunks || mint < s.headMinT || s.histHead !== null) return null;
    if (s.oooLen > 0 && s.oooMaxT() >= mint && s.oooMinT() <= maxt) return null;
    const d = this.decodedHeads.buffer(s);
    if (d === null) return null;
    const lo = searchTime(d.ts, mint, 0, false, d.n);
    return { ts: d.ts, vs: d.vs, lo, hi: searchTime(d.ts, maxt, lo, true, d.n) };
  }

  selectAggregates(requests: AggregateRequest[]): AggregateAnswer[] {
    return requests.map((r) => {
      try {
        return { ok: this.selectAggregate(r.specs, r.plan, r.mint, r.maxt, r.deadline) };
      } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
      }
    });
  }

  labelNames(specs: MatcherSpec[], mint: number, maxt: number, deadline?: number): string[] {
    if (specs.length === 0 && mint === -Infinity && maxt === Infinity) return this.postings.labelNames();
    const names = new Set<string>();
    for (const id of this.matching(toMatchers(specs), mint, maxt, new Deadline(deadline))) {
      for (const l of this.byId.get(id)!.labels) names.add(l.name);
    }
    return [...names].sort();
  }

  labelValues(name: string, specs: MatcherSpec[], mint: number, maxt: number, deadline?: number): string[] {
    if (specs.length === 0 && mint === -Infinity && maxt === Infinity) return this.postings.labelValues(name);
    const values = new Set<string>();
    for (const id of this.matching(toMatchers(specs), mint, maxt, new Deadline(deadline))) {
      for (const l of this.byId.get(id)!.labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort();
  }

  getStats(): StoreStats {
    let headSamples = 0;
    let oldest = Infinity;
    for (const s of this.byId.values()) {
      headSamples += s.headSamples();
      if (s.minT < oldest) oldest = s.minT;
    }
    return {
      ...this.stats,
      chunks: this.blocks.chunks + this.pendingStats.chunks,
      chunkBytes: this.blocks.bytes + this.pendingStats.bytes,
      chunkSamples: this.blocks.samples + this.pendingStats.samples,
      series: this.byId.size,
      headSamples,
      walBytes: this.walBytes,
      databaseBytes: this.sql.databaseSize,
      retentionLimitBytes: this.opts.retentionBytes,
      oldestSampleMs: oldest === Infinity ? null : oldest,
      recentRejections: [...this.recent],
      usage: this.meter.usage(),
    };
  }

  private *matching(ms: Matcher[], mint: number, maxt: number, deadline: Deadline): Generator<number> {
    deadline.check();
    for (const id of this.postings.resolve(ms, deadline)) {
      deadline.tick();
      const s = this.byId.get(id);
      if (s !== undefined && overlaps(s, mint, maxt)) yield id;
    }
  }

  /** Matching ids in label order, only those sorting after `after` when given. */
  private sortedMatches(ms: Matcher[], mint: number, maxt: number, deadline: Deadline, after?: Labels): number[] {
    const out: number[] = [];
    for (const id of this.sortedResolved(ms, deadline)) {
      deadline.tick();
      const s = this.byId.get(id);
      if (s !== undefined && overlaps(s, mint, maxt) && (after === undefined || compareLabels(s.labels, after) > 0)) out.push(id);
    }
    return out;
  }

  /** The ids the matchers select, in label order. Sorting by labels is most of a
   * large select's work in the shard, and dashboards and rule groups ask the same
   * selectors again and again while the set of series stays the same: the order is
   * kept until a series is created (a new id) or dropped (a new epoch). */
  private sortedResolved(ms: Matcher[], deadline: Deadline): readonly number[] {
    return this.sortedSelection(ms, deadline).ids;
  }

  /** sortedResolved's selection, kept (when not too large) while the version holds. */
  private sortedSelection(ms: Matcher[], deadline: Deadline): SortedSelection {
    const version = `${this.epoch}/${this.nextSeriesId}`;
    let key = "";
    for (const m of ms) key += `${m.type}\u0000${m.name}\u0000${m.value}\u0001`;
    const hit = this.sortedCache.get(key);
    if (hit !== undefined && hit.version === version) {
      // Most recently used last, so that the first one is the one to evict.
      this.sortedCache.delete(key);
      this.sortedCache.set(key, hit);
      return hit;
    }
    const list: MemSeries[] = [];
    for (const id of this.postings.resolve(ms, deadline)) {
      deadline.tick();
      const s = this.byId.get(id);
      if (s !== undefined) list.push(s);
    }
    list.sort((a, b) => compareLabels(a.labels, b.labels));
    const sel: SortedSelection = { version, ids: list.map((s) => s.id), series: list };
    this.sortedCache.delete(key);
    if (sel.ids.length <= SORTED_CACHE_MAX_IDS) {
      this.sortedCache.set(key, sel);
      if (this.sortedCache.size > SORTED_CACHE_ENTRIES) this.sortedCache.delete(this.sortedCache.keys().next().value!);
    }
    return sel;
  }

  /** The newest sample in [mint, maxt] as it is when the open head holds it (the
   * usual case for a query at "now": out-of-order samples are always older than the
   * head's newest), else the series' chunks over the range. */
  private latestOf(s: MemSeries, mint: number, maxt: number): SeriesChunks {
    if (s.head === null || s.maxT > maxt) return { key: s.key, chunks: this.chunksOf(s, mint, maxt) };
    if (s.maxT < mint) return { key: s.key, chunks: [] };
    return { key: s.key, chunks: [], latest: Float64Array.of(s.maxT, s.lastV) };
  }

  /** A "latest" page in columns: each series' newest sample in [mint, maxt], read
   * here from its chunks when the head does not hold it; undefined when one of them is
   * a native histogram, which goes in chunks. */
  private latestColumns(page: readonly SeriesChunks[], mint: number, maxt: number): LatestColumns | undefined {
    const keys: string[] = [];
    const tv = new Float64Array(page.length * 2);
    for (const p of page) {
      let t: number;
      let v: number;
      if (p.latest !== undefined) {
        t = p.latest[0]!;
        v = p.latest[1]!;
      } else {
        if (p.chunks.length === 0) continue;
        const { ts, vs, hs } = readChunks(p.chunks, mint, maxt);
        const j = ts.length - 1;
        if (j < 0) continue;
        if (hs?.[j] !== undefined) return undefined;
        t = ts[j]!;
        v = vs[j]!;
      }
      tv[keys.length * 2] = t;
      tv[keys.length * 2 + 1] = v;
      keys.push(p.key);
    }
    // A view would still carry its whole buffer over RPC.
    return { keys, tv: keys.length === page.length ? tv : tv.slice(0, keys.length * 2) };
  }

  /** s's samples in [mint, maxt], its open head read from the decoded heads; valid
   * until the next call (they may be in the shard's sample buffer). */
  private samplesOf(s: MemSeries, mint: number, maxt: number): SampleArrays {
    const inHead = s.head !== null && s.maxT >= mint && s.headMinT <= maxt;
    const head = inHead ? this.decodedHeads.read(s) : null;
    if (inHead && head === null) return readChunks(this.chunksOf(s, mint, maxt), mint, maxt, undefined, undefined, this.sampleBuffer);
    // Without the open head's bytes, every in-order XOR chunk given is sealed.
    return readChunks(this.chunksOf(s, mint, maxt, false), mint, maxt, head ?? undefined, this.decodedChunks, this.sampleBuffer);
  }

  private chunksOf(s: MemSeries, mint: number, maxt: number, withHead = true): ChunkData[] {
    const out: ChunkData[] = [];
    // Sealed in-order chunks all end before the head starts; a range inside the head
    // (an instant query near now) needs no SQLite read at all.
    const headOnly = s.head !== null && !s.hasOOOChunks && mint >= s.headMinT;
    if (!headOnly) {
      this.blocks.read(s.id, mint, maxt, out);
      for (const c of this.pending.get(s.id) ?? []) {
        if (c.maxT >= mint && c.minT <= maxt) out.push(c.enc !== undefined ? { minT: c.minT, maxT: c.maxT, ooo: c.ooo, enc: c.enc, data: c.data } : { minT: c.minT, maxT: c.maxT, ooo: c.ooo, data: c.data });
      }
      // Compaction rewrites blocks under new ids, so block order is not time order.
      if (out.length > 1) out.sort((a, b) => a.minT - b.minT);
    }
    const head = withHead ? s.headBytes() : null;
    if (head !== null && s.maxT >= mint && s.headMinT <= maxt) {
      out.push({ minT: s.headMinT, maxT: s.maxT, ooo: false, data: head });
    }
    const hist = s.histHeadBytes();
    if (hist !== null && s.maxT >= mint && s.histHeadMinT <= maxt) {
      out.push({ minT: s.histHeadMinT, maxT: s.maxT, ooo: false, enc: s.histHeadEncoding()!, data: hist.slice() });
    }
    if (s.oooLen > 0 && s.oooMaxT() >= mint && s.oooMinT() <= maxt) {
      out.push({ minT: s.oooMinT(), maxT: s.oooMaxT(), ooo: true, data: s.oooBytes()! });
    }
    return out;
  }

  private expireQueries(): void {
    const now = Date.now();
    for (const [id, q] of this.queries) if (q.expires < now) this.queries.delete(id);
  }
}

/** An epoch other than `old`; random, so that one from before a restart is no match. */
function newEpoch(old: number): number {
  for (;;) {
    const e = Math.floor(Math.random() * 2 ** 52) + 1;
    if (e !== old) return e;
  }
}

function overlaps(s: MemSeries, mint: number, maxt: number): boolean {
  const hi = Math.max(s.maxT, s.oooMaxT());
  return s.minT <= maxt && hi >= mint;
}

// Internal calls (append -> checkpoint) are not requests, so only entry points count.
meterMethods(SeriesStore, ["append", "appendSections", "appendHistograms", "select", "selectAggregate", "selectAggregates", "labelNames", "labelValues", "getStats", "storageLayout", "checkpoint", "deleteRange", "appendExemplars", "selectExemplars", "alarm"]);
