import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../migrations/remote_write_queue/migrations.js";
import { rearmingAlarm } from "../durable/alarm.js";
import { QueueManager, type QueueBatch, type QueueSettings, type QueueState, type QueueStats, type Segment, type SegmentStore } from "./queue_manager.js";

/** Requests one alarm invocation makes at most (Workers limit subrequests per
 * invocation); a longer backlog continues in the next alarm right away. */
const MAX_SENDS_PER_ALARM = 40;
/** When the next alarm comes after one that failed (its samples stay queued). */
const ALARM_RETRY_MS = 5_000;

/**
 * One `remote_write` entry of one tier (named `${TIER}/remote-write/${name-or-index}`):
 * samples enqueued by the tier's appenders are stored in this object's SQLite before
 * enqueue returns, and its alarm ships them (see queue_manager.ts).
 *
 * Its tables are defined in schema.ts and created by drizzle's migrations, as every
 * SQLite-backed object's are; the hot paths below use SQL directly.
 *
 * enqueue is synchronous SQLite work, whole between two awaits, so it may run while
 * the alarm awaits a send (writers never wait for a slow remote); alarms never overlap.
 */
export class RemoteWriteQueue extends DurableObject {
  private manager: QueueManager | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(drizzle(ctx.storage), migrations);
  }

  private mgr(): QueueManager {
    if (this.manager === undefined) this.manager = new QueueManager(new SqlSegmentStore(this.ctx.storage.sql), { fetch: (u, i) => fetch(u, i), now: () => Date.now() });
    return this.manager;
  }

  /** Durably queues the batch (already relabelled, external labels attached). */
  async enqueue(settings: QueueSettings, batch: QueueBatch): Promise<QueueStats> {
    const m = this.mgr();
    const next = m.enqueue(settings, batch);
    await this.schedule(next);
    return m.stats();
  }

  async stats(): Promise<QueueStats> {
    return this.mgr().stats();
  }

  override async alarm(): Promise<void> {
    await rearmingAlarm(this.ctx.storage, () => this.mgr().run(MAX_SENDS_PER_ALARM), {
      retryMs: ALARM_RETRY_MS,
      log: (error) => console.log(JSON.stringify({ event: "remote_write_alarm_failed", error })),
    });
  }

  /** Arms the alarm for `at` unless one is due earlier already. */
  private async schedule(at: number | null): Promise<void> {
    if (at === null) return;
    const cur = await this.ctx.storage.getAlarm();
    if (cur === null || cur > at) await this.ctx.storage.setAlarm(at);
  }
}

class SqlSegmentStore implements SegmentStore {
  private samples: number;
  private segments: number;

  constructor(private readonly sql: SqlStorage) {
    const row = sql.exec<{ n: number; s: number | null }>("SELECT COUNT(*) AS n, SUM(samples) AS s FROM rw_segments").one();
    this.segments = row.n;
    this.samples = row.s ?? 0;
  }

  add(seg: Omit<Segment, "id">): void {
    this.sql.exec("INSERT INTO rw_segments (enqueued_at, samples, max_t, body) VALUES (?, ?, ?, ?)", seg.enqueuedAt, seg.samples, seg.maxT, seg.body);
    this.samples += seg.samples;
    this.segments++;
  }

  head(maxSamples: number): Segment[] {
    const out: Segment[] = [];
    let n = 0;
    for (const r of this.sql.exec<SegmentRow>("SELECT id, enqueued_at, samples, max_t, body FROM rw_segments ORDER BY id LIMIT 1000")) {
      if (out.length > 0 && n + r.samples > maxSamples) break;
      out.push(toSegment(r));
      n += r.samples;
    }
    return out;
  }

  remove(ids: readonly number[]): void {
    for (const id of ids) {
      const r = this.sql.exec<{ samples: number }>("DELETE FROM rw_segments WHERE id = ? RETURNING samples", id).toArray()[0];
      if (r !== undefined) {
        this.samples -= r.samples;
        this.segments--;
      }
    }
  }

  oldest(): Segment | undefined {
    const r = this.sql.exec<SegmentRow>("SELECT id, enqueued_at, samples, max_t, body FROM rw_segments ORDER BY id LIMIT 1").toArray()[0];
    return r === undefined ? undefined : toSegment(r);
  }

  pendingSamples(): number {
    return this.samples;
  }

  pendingSegments(): number {
    return this.segments;
  }

  loadState(): QueueState | undefined {
    const r = this.sql.exec<{ v: string }>("SELECT v FROM rw_state WHERE k = 'state'").toArray()[0];
    return r === undefined ? undefined : (JSON.parse(r.v) as QueueState);
  }

  saveState(s: QueueState): void {
    this.sql.exec("INSERT INTO rw_state (k, v) VALUES ('state', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", JSON.stringify(s));
  }
}

type SegmentRow = { id: number; enqueued_at: number; samples: number; max_t: number; body: ArrayBuffer } & Record<string, SqlStorageValue>;

function toSegment(r: SegmentRow): Segment {
  return { id: r.id, enqueuedAt: r.enqueued_at, samples: r.samples, maxT: r.max_t, body: new Uint8Array(r.body) };
}
