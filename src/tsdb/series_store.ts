import { DurableObject } from "cloudflare:workers";
import { XorChunk } from "../chunkenc/xor.js";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/series_store/migrations.js";
import { compareLabels, labelsFromKey, type Labels } from "../model/labels.js";
import { newMatcher, type Matcher } from "../model/matchers.js";
import { parseDuration } from "../model/time.js";
import { parseBytes } from "../model/units.js";
import { MemSeries, type SealedChunk } from "./mem_series.js";
import { DEFAULT_STORE_OPTIONS, type StoreOptions } from "./options.js";
import { Deadline } from "./deadline.js";
import { PostingsIndex } from "./postings.js";
import type {
  AppendResult,
  AppendSeries,
  AppendBatch,
  ChunkData,
  MatcherSpec,
  Rejection,
  SelectCursor,
  SelectMode,
  SelectPage,
  SeriesChunks,
  StoreStats,
} from "./rpc.js";
import { toAppendBatch } from "./rpc.js";
import { readWalRecord, WalWriter } from "./wal.js";
import { rearmingAlarm } from "../durable/alarm.js";

/** Storage settings arrive as Worker vars, the way Prometheus takes them as flags. */
export interface SeriesStoreEnv {
  STORAGE_RETENTION?: string;
  STORAGE_OOO_WINDOW?: string;
  /** Like --storage.tsdb.retention.size ("512MB"), for the whole tier: each of the
   * SHARDS shards keeps its share. */
  STORAGE_RETENTION_SIZE?: string;
  SHARDS?: string;
}

const MAX_REJECTIONS_PER_BATCH = 10;
const RECENT_REJECTIONS = 50;
const QUERY_CACHE_TTL_MS = 60_000;
const DEFAULT_PAGE = 1000;
/** Largest WAL row; SQLite in a Durable Object refuses strings and blobs over 2 MB. */
const WAL_ROW_BYTES = 1 << 20;

function optionsFrom(env: SeriesStoreEnv): StoreOptions {
  return {
    ...DEFAULT_STORE_OPTIONS,
    retentionMs: env.STORAGE_RETENTION ? parseDuration(env.STORAGE_RETENTION) : DEFAULT_STORE_OPTIONS.retentionMs,
    oooWindowMs: env.STORAGE_OOO_WINDOW ? parseDuration(env.STORAGE_OOO_WINDOW) : DEFAULT_STORE_OPTIONS.oooWindowMs,
    retentionBytes: env.STORAGE_RETENTION_SIZE ? Math.floor(parseBytes(env.STORAGE_RETENTION_SIZE) / Math.max(1, Number(env.SHARDS ?? "1"))) : 0,
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
 * One shard of a tier's series. Every append batch is written to SQLite (WAL row,
 * new series, sealed chunks) inside one synchronous transaction before the RPC
 * returns, so an acknowledged sample survives eviction and restarts. Reads are served
 * from the in-memory postings and head plus sealed chunks read from SQLite.
 */
export class SeriesStore extends DurableObject<SeriesStoreEnv> {
  private readonly sql: SqlStorage;
  private readonly opts: StoreOptions;
  private byId = new Map<number, MemSeries>();
  private byKey = new Map<string, MemSeries>();
  private postings = new PostingsIndex();
  private seq = 0;
  private nextSeriesId = 1;
  private walBytes = 0;
  private readonly queries = new Map<string, { ids: number[]; mint: number; maxt: number; expires: number }>();
  private readonly stats = {
    chunks: 0,
    chunkBytes: 0,
    chunkSamples: 0,
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

  constructor(ctx: DurableObjectState, env: SeriesStoreEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.opts = optionsFrom(env);
    // Migrations and recovery are synchronous SQLite work, done before any request.
    migrate(drizzle(ctx.storage), migrations);
    this.load();
    void ctx.blockConcurrencyWhile(async () => {
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + this.opts.alarmIntervalMs);
    });
  }

  // ---- recovery ---------------------------------------------------------------

  private load(): void {
    this.byId = new Map();
    this.byKey = new Map();
    this.postings = new PostingsIndex();
    let maxId = 0;
    for (const row of this.sql.exec<{ id: number; labels: string }>("SELECT id, labels FROM series")) {
      const s = new MemSeries(row.id, labelsFromKey(row.labels), row.labels);
      this.byId.set(s.id, s);
      this.byKey.set(s.key, s);
      if (s.id > maxId) maxId = s.id;
    }
    this.nextSeriesId = maxId + 1;
    for (const row of this.sql.exec<{ name: string; value: string; series_id: number }>(
      "SELECT name, value, series_id FROM postings",
    )) {
      this.postings.addPosting(row.name, row.value, row.series_id);
    }
    for (const row of this.sql.exec<{ series_id: number; mint: number; maxt: number | null }>(
      "SELECT series_id, MIN(min_time) AS mint, MAX(CASE WHEN ooo = 0 THEN max_time END) AS maxt FROM chunks GROUP BY series_id",
    )) {
      const s = this.byId.get(row.series_id);
      if (s === undefined) continue;
      s.minT = row.mint;
      if (row.maxt !== null) s.maxT = row.maxt;
    }
    for (const row of this.sql.exec<{ series_id: number }>("SELECT DISTINCT series_id FROM chunks WHERE ooo = 1")) {
      const s = this.byId.get(row.series_id);
      if (s !== undefined) s.hasOOOChunks = true;
    }
    const agg = this.sql
      .exec<{ n: number; bytes: number | null; samples: number | null }>(
        "SELECT COUNT(*) AS n, SUM(LENGTH(data)) AS bytes, SUM(num_samples) AS samples FROM chunks",
      )
      .one();
    this.stats.chunks = agg.n;
    this.stats.chunkBytes = agg.bytes ?? 0;
    this.stats.chunkSamples = agg.samples ?? 0;

    let seq = 0;
    for (const row of this.sql.exec<{ series_id: number; seq: number; head: ArrayBuffer | null; ooo: ArrayBuffer | null }>(
      "SELECT series_id, seq, head, ooo FROM head_chunks",
    )) {
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
        for (let i = 0; i < rec.ts.length; i++) s.append(rec.ts[i]!, rec.vs[i]!, Infinity, sealed);
        // A seal always rewrites the series' row in the same transaction, so records
        // after that row can never seal again; persisting defensively keeps it true.
        if (sealed.length > 0) this.writeSealed(s, sealed.splice(0), row.seq);
      }
    }
    this.seq = seq;
  }

  // ---- writes -----------------------------------------------------------------

  /** Appends a batch; durable once this returns. */
  append(input: AppendBatch | AppendSeries[]): AppendResult {
    const batch = Array.isArray(input) ? toAppendBatch(input) : input;
    const result: AppendResult = { appended: 0, outOfOrderAccepted: 0, rejected: 0, rejections: [] };
    try {
      this.ctx.storage.transactionSync(() => this.appendTx(batch, result));
    } catch (e) {
      // Memory may hold half of a batch SQLite rolled back; rebuild it from disk.
      this.newSeries = [];
      this.load();
      throw e;
    }
    if (this.walBytes >= this.opts.checkpointWalBytes) this.checkpoint();
    return result;
  }

  private appendTx(batch: AppendBatch, result: AppendResult): void {
    // A WAL row holds at most WAL_ROW_BYTES (SQLite in a Durable Object refuses rows
    // over 2 MB); a bigger batch takes consecutive sequence numbers, one per row.
    let seq = this.seq + 1;
    let lastSeq = this.seq;
    // Series whose head row was written at `seq`: a later record of theirs in this
    // batch must land in a later row, or replay would skip it.
    const rowAt = new Set<number>();
    const wal = new WalWriter();
    const flush = () => {
      if (!wal.isEmpty()) {
        const data = wal.take();
        this.sql.exec("INSERT INTO wal (seq, data) VALUES (?, ?)", seq, toBlob(data));
        this.walBytes += data.byteLength;
        lastSeq = seq;
      }
      seq++;
      rowAt.clear();
    };
    const sealed: SealedChunk[] = [];
    const minValid = Date.now() - this.opts.retentionMs;
    const { ts, vs } = batch;
    let end = 0;
    for (let k = 0; k < batch.keys.length; k++) {
      const s = this.getOrCreate(batch.keys[k]!);
      if (rowAt.has(s.id) || wal.byteLength() >= WAL_ROW_BYTES) flush();
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
        const outcome = s.append(t, v, this.opts.oooWindowMs, sealed);
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
        rowAt.add(s.id);
        lastSeq = seq;
      }
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
    const s = new MemSeries(this.nextSeriesId++, labels, key);
    this.newSeries.push(s);
    this.byId.set(s.id, s);
    this.byKey.set(key, s);
    this.postings.add(s.id, labels);
    return s;
  }

  /** Writes the series created by this batch and their postings, many rows per
   * statement: one statement per row made a batch of new series cost seconds. */
  private insertNewSeries(): void {
    const list = this.newSeries;
    if (list.length === 0) return;
    this.newSeries = [];
    const now = Date.now();
    insertRows(this.sql, "INSERT INTO series (id, labels, created_at) VALUES ", 3, list.length, (i, out) => {
      const s = list[i]!;
      out.push(s.id, s.key, now);
    });
    const pairs: Array<[MemSeries, number]> = [];
    for (const s of list) for (let j = 0; j < s.labels.length; j++) pairs.push([s, j]);
    insertRows(this.sql, "INSERT INTO postings (name, value, series_id) VALUES ", 3, pairs.length, (i, out) => {
      const [s, j] = pairs[i]!;
      out.push(s.labels[j]!.name, s.labels[j]!.value, s.id);
    });
  }

  private writeSealed(s: MemSeries, sealed: SealedChunk[], seq: number): void {
    for (const c of sealed) {
      this.sql.exec(
        "INSERT INTO chunks (series_id, min_time, max_time, num_samples, ooo, data) VALUES (?, ?, ?, ?, ?, ?)",
        s.id,
        c.minT,
        c.maxT,
        c.count,
        c.ooo ? 1 : 0,
        toBlob(c.data),
      );
      if (c.ooo) s.hasOOOChunks = true;
      this.stats.chunks++;
      this.stats.chunkBytes += c.data.byteLength;
      this.stats.chunkSamples += c.count;
    }
    this.writeHeadRow(s, seq);
  }

  private writeHeadRow(s: MemSeries, seq: number): void {
    const head = s.headBytes();
    const ooo = s.oooBytes();
    this.sql.exec(
      "INSERT INTO head_chunks (series_id, seq, head, ooo) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT(series_id) DO UPDATE SET seq = excluded.seq, head = excluded.head, ooo = excluded.ooo",
      s.id,
      seq,
      head && toBlob(head),
      ooo && toBlob(ooo),
    );
    s.rowSeq = seq;
    s.dirty = false;
  }

  /** Writes every changed head to head_chunks and truncates the WAL. */
  checkpoint(): void {
    if (this.walBytes === 0) return;
    this.ctx.storage.transactionSync(() => {
      for (const s of this.byId.values()) if (s.dirty) this.writeHeadRow(s, this.seq);
      this.sql.exec("DELETE FROM wal WHERE seq <= ?", this.seq);
    });
    this.walBytes = 0;
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
        if (this.opts.retentionBytes > 0) this.enforceSizeRetention(this.opts.retentionBytes);
        return Date.now() + this.opts.alarmIntervalMs;
      },
      { retryMs: this.opts.alarmIntervalMs, log },
    );
  }

  /** Deletes chunks wholly older than `cutoff`, then series left with no samples
   * whose head ended before `seriesCutoff` (by default `cutoff`). */
  enforceRetention(cutoff: number, seriesCutoff = cutoff): { chunks: number; series: number } {
    let deletedChunks = 0;
    let deletedSeries = 0;
    this.ctx.storage.transactionSync(() => {
      const gone = this.sql
        .exec<{ n: number; bytes: number | null; samples: number | null }>(
          "SELECT COUNT(*) AS n, SUM(LENGTH(data)) AS bytes, SUM(num_samples) AS samples FROM chunks WHERE max_time < ?",
          cutoff,
        )
        .one();
      if (gone.n > 0) {
        this.sql.exec("DELETE FROM chunks WHERE max_time < ?", cutoff);
        deletedChunks = gone.n;
        this.stats.chunks -= gone.n;
        this.stats.chunkBytes -= gone.bytes ?? 0;
        this.stats.chunkSamples -= gone.samples ?? 0;
      }
      const withChunks = new Map<number, number>();
      for (const row of this.sql.exec<{ series_id: number; mint: number }>(
        "SELECT series_id, MIN(min_time) AS mint FROM chunks GROUP BY series_id",
      )) {
        withChunks.set(row.series_id, row.mint);
      }
      for (const s of [...this.byId.values()]) {
        const headMax = Math.max(s.maxT, s.oooMaxT());
        const chunkMin = withChunks.get(s.id);
        if (chunkMin === undefined && headMax < seriesCutoff) {
          this.deleteSeries(s);
          deletedSeries++;
        } else if (chunkMin !== undefined && chunkMin > s.minT) {
          s.minT = Math.min(chunkMin, s.headMinT);
        }
      }
    });
    this.stats.retentionDeletedChunks += deletedChunks;
    this.stats.retentionDeletedSeries += deletedSeries;
    return { chunks: deletedChunks, series: deletedSeries };
  }

  /** Bytes that count against the size limit: sealed chunks and the WAL since the
   * last checkpoint (the equivalent of Prometheus' blocks plus WAL). */
  storedBytes(): number {
    return this.stats.chunkBytes + this.walBytes;
  }

  /**
   * Deletes the oldest sealed chunks (by end time) until the stored bytes fit under
   * `limit`, then series left with nothing, as Prometheus deletes its oldest blocks
   * for --storage.tsdb.retention.size. Open head chunks are never deleted: they hold
   * the newest samples.
   */
  enforceSizeRetention(limit: number): { chunks: number; bytes: number } {
    let excess = this.storedBytes() - limit;
    if (excess <= 0) return { chunks: 0, bytes: 0 };
    let chunks = 0;
    let bytes = 0;
    let cutoff = -Infinity;
    this.ctx.storage.transactionSync(() => {
      const ids: number[] = [];
      let samples = 0;
      for (const row of this.sql.exec<{ id: number; bytes: number; n: number; max_time: number }>(
        "SELECT id, LENGTH(data) AS bytes, num_samples AS n, max_time FROM chunks ORDER BY max_time, id",
      )) {
        if (excess <= 0) break;
        ids.push(row.id);
        excess -= row.bytes;
        bytes += row.bytes;
        samples += row.n;
        cutoff = row.max_time;
      }
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        this.sql.exec(`DELETE FROM chunks WHERE id IN (${part.map(() => "?").join(",")})`, ...part);
      }
      chunks = ids.length;
      this.stats.chunks -= chunks;
      this.stats.chunkBytes -= bytes;
      this.stats.chunkSamples -= samples;
    });
    if (chunks === 0) return { chunks, bytes };
    // Series whose remaining data all ended before the newest deleted chunk go too.
    const { series } = this.enforceRetention(Number.MIN_SAFE_INTEGER, cutoff + 1);
    this.stats.sizeRetentions++;
    this.stats.sizeRetentionDeletedChunks += chunks;
    this.stats.sizeRetentionDeletedBytes += bytes;
    console.log(JSON.stringify({ event: "size_retention", limit_bytes: limit, deleted_chunks: chunks, deleted_bytes: bytes, deleted_series: series }));
    return { chunks, bytes };
  }

  private deleteSeries(s: MemSeries): void {
    this.sql.exec("DELETE FROM chunks WHERE series_id = ?", s.id);
    this.sql.exec("DELETE FROM series WHERE id = ?", s.id);
    this.sql.exec("DELETE FROM postings WHERE series_id = ?", s.id);
    this.sql.exec("DELETE FROM head_chunks WHERE series_id = ?", s.id);
    this.byId.delete(s.id);
    this.byKey.delete(s.key);
    this.postings.delete(s.id, s.labels);
  }

  // ---- deletion -------------------------------------------------------------------

  /**
   * Deletes the samples of matching series within [mint, maxt], as Prometheus'
   * delete_series does, but by rewriting the affected chunks rather than keeping
   * tombstones: chunks inside the range go, chunks across its edge are re-encoded
   * without those samples, the head is filtered, and each changed series' head row is
   * rewritten at the current WAL position so replay cannot bring samples back. A
   * series left with nothing is removed with its postings.
   */
  deleteRange(specs: MatcherSpec[], mint: number, maxt: number, deadline?: number): { series: number; samples: number } {
    let removedSeries = 0;
    let removedSamples = 0;
    // The deadline only applies while matching: once deleting starts, it completes.
    const ids = [...this.matching(toMatchers(specs), mint, maxt, new Deadline(deadline))];
    this.ctx.storage.transactionSync(() => {
      for (const id of ids) {
        const s = this.byId.get(id)!;
        removedSamples += this.deleteChunkRange(s, mint, maxt) + s.deleteHeadRange(mint, maxt);
        const left = this.sql.exec<{ n: number; mint: number | null }>("SELECT COUNT(*) AS n, MIN(min_time) AS mint FROM chunks WHERE series_id = ?", s.id).one();
        if (left.n === 0 && s.headSamples() === 0) {
          this.deleteSeries(s);
          removedSeries++;
          continue;
        }
        s.minT = Math.min(left.mint ?? Infinity, s.head === null ? Infinity : s.headMinT, s.oooMinT());
        this.writeHeadRow(s, this.seq);
      }
    });
    this.queries.clear();
    return { series: removedSeries, samples: removedSamples };
  }

  /** Removes one series' chunk samples within [mint, maxt]; returns how many. */
  private deleteChunkRange(s: MemSeries, mint: number, maxt: number): number {
    let removed = 0;
    const rows = [...this.sql.exec<{ id: number; min_time: number; max_time: number; num_samples: number; ooo: number; data: ArrayBuffer }>(
      "SELECT id, min_time, max_time, num_samples, ooo, data FROM chunks WHERE series_id = ? AND max_time >= ? AND min_time <= ?",
      s.id,
      mint,
      maxt,
    )];
    for (const row of rows) {
      this.sql.exec("DELETE FROM chunks WHERE id = ?", row.id);
      this.stats.chunks--;
      this.stats.chunkBytes -= row.data.byteLength;
      this.stats.chunkSamples -= row.num_samples;
      const kept = new XorChunk();
      let first = Infinity;
      let last = -Infinity;
      const it = XorChunk.open(new Uint8Array(row.data)).iterator();
      while (it.next()) {
        if (it.t >= mint && it.t <= maxt) {
          removed++;
          continue;
        }
        kept.append(it.t, it.v);
        if (it.t < first) first = it.t;
        last = it.t;
      }
      if (kept.numSamples() > 0) {
        const data = kept.bytes();
        this.sql.exec(
          "INSERT INTO chunks (series_id, min_time, max_time, num_samples, ooo, data) VALUES (?, ?, ?, ?, ?, ?)",
          s.id,
          first,
          last,
          kept.numSamples(),
          row.ooo,
          toBlob(data),
        );
        this.stats.chunks++;
        this.stats.chunkBytes += data.byteLength;
        this.stats.chunkSamples += kept.numSamples();
      }
    }
    return removed;
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
      if (s !== undefined) series.push({ key: s.key, chunks: mode === "labels" ? [] : mode === "latest" ? this.latestOf(s, mint, maxt) : this.chunksOf(s, mint, maxt) });
    }
    if (end >= ids.length) {
      if (queryId !== "") this.queries.delete(queryId);
      return { series };
    }
    if (queryId === "") {
      queryId = crypto.randomUUID();
      this.queries.set(queryId, { ids, mint, maxt, expires: Date.now() + QUERY_CACHE_TTL_MS });
      this.expireQueries();
    }
    // The last id of the page always exists: deletes clear the cache synchronously.
    return { series, cursor: { queryId, offset: end, after: this.byId.get(ids[end - 1]!)!.key } };
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
      series: this.byId.size,
      headSamples,
      walBytes: this.walBytes,
      databaseBytes: this.sql.databaseSize,
      retentionLimitBytes: this.opts.retentionBytes,
      oldestSampleMs: oldest === Infinity ? null : oldest,
      recentRejections: [...this.recent],
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
    const list: MemSeries[] = [];
    for (const id of this.matching(ms, mint, maxt, deadline)) {
      const s = this.byId.get(id)!;
      if (after === undefined || compareLabels(s.labels, after) > 0) list.push(s);
    }
    list.sort((a, b) => compareLabels(a.labels, b.labels));
    return list.map((s) => s.id);
  }

  /** The newest sample in [mint, maxt] as a one-sample chunk when the open head holds
   * it (the usual case for a query at "now": out-of-order samples are always older
   * than the head's newest), else the series' chunks over the range. */
  private latestOf(s: MemSeries, mint: number, maxt: number): ChunkData[] {
    if (s.head === null || s.maxT > maxt) return this.chunksOf(s, mint, maxt);
    if (s.maxT < mint) return [];
    const c = new XorChunk();
    c.append(s.maxT, s.lastV);
    return [{ minT: s.maxT, maxT: s.maxT, ooo: false, data: c.bytes().slice() }];
  }

  private chunksOf(s: MemSeries, mint: number, maxt: number): ChunkData[] {
    const out: ChunkData[] = [];
    // Sealed in-order chunks all end before the head starts; a range inside the head
    // (an instant query near now) needs no SQLite read at all.
    const headOnly = s.head !== null && !s.hasOOOChunks && mint >= s.headMinT;
    if (!headOnly) for (const row of this.sql.exec<{ min_time: number; max_time: number; ooo: number; data: ArrayBuffer }>(
      "SELECT min_time, max_time, ooo, data FROM chunks WHERE series_id = ? AND max_time >= ? AND min_time <= ? ORDER BY min_time",
      s.id,
      clampForSql(mint),
      clampForSql(maxt),
    )) {
      out.push({ minT: row.min_time, maxT: row.max_time, ooo: row.ooo === 1, data: new Uint8Array(row.data) });
    }
    const head = s.headBytes();
    if (head !== null && s.maxT >= mint && s.headMinT <= maxt) {
      out.push({ minT: s.headMinT, maxT: s.maxT, ooo: false, data: head });
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

/** SQLite in a Durable Object binds at most 100 parameters per statement. */
const MAX_PARAMS = 99;

/** Inserts `n` rows of `width` values each, as many per statement as the parameter
 * limit allows; `row(i, out)` pushes row i's values. */
function insertRows(sql: SqlStorage, prefix: string, width: number, n: number, row: (i: number, out: SqlStorageValue[]) => void): void {
  const per = Math.floor(MAX_PARAMS / width);
  const one = `(${Array(width).fill("?").join(",")})`;
  const full = prefix + Array(per).fill(one).join(",");
  const args: SqlStorageValue[] = [];
  for (let i = 0; i < n; i += per) {
    const m = Math.min(per, n - i);
    args.length = 0;
    for (let k = 0; k < m; k++) row(i + k, args);
    sql.exec(m === per ? full : prefix + Array(m).fill(one).join(","), ...args);
  }
}

function overlaps(s: MemSeries, mint: number, maxt: number): boolean {
  const hi = Math.max(s.maxT, s.oooMaxT());
  return s.minT <= maxt && hi >= mint;
}

/** SQLite integers cannot bind ±Infinity. */
function clampForSql(t: number): number {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, t));
}

