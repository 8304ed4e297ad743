/**
 * What a Durable Object does that Cloudflare bills: requests (every RPC call, fetch
 * and alarm invocation), SQLite rows read and written, and the wall time it is busy
 * with at least one request (duration is billed as that time x 128 MB). Counted by
 * the object itself, so the figures are the same wherever the calls come from.
 */
export interface Usage {
  requests: number;
  rowsRead: number;
  rowsWritten: number;
  /** Wall time with at least one request in flight, in ms. */
  activeMs: number;
}

export function emptyUsage(): Usage {
  return { requests: 0, rowsRead: 0, rowsWritten: 0, activeMs: 0 };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return { requests: a.requests + b.requests, rowsRead: a.rowsRead + b.rowsRead, rowsWritten: a.rowsWritten + b.rowsWritten, activeMs: a.activeMs + b.activeMs };
}

/** The part of SqlStorage the stores use; MeteredSql stands in for it. */
export type SqlExec = Pick<SqlStorage, "exec" | "databaseSize">;

export class UsageMeter {
  private readonly totals = emptyUsage();
  private inFlight = 0;
  private busySince = 0;
  /** Cursors of the running turn; a SELECT's counts grow while it is iterated, so
   * they are read once the turn is over (see MeteredSql). */
  private cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];

  /** ctx.storage.sql, counting the rows its statements read and write. */
  sql(sql: SqlStorage): SqlExec {
    return new MeteredSql(sql, this);
  }

  /** Rows touched through the key-value API, which SQLite-backed objects bill as rows. */
  kvRows(read: number, written: number): void {
    this.totals.rowsRead += read;
    this.totals.rowsWritten += written;
  }

  /** Counts a request and its wall time; concurrent requests share their time, as
   * Cloudflare bills it. */
  track<T>(run: () => T): T {
    this.totals.requests++;
    if (this.inFlight++ === 0) this.busySince = Date.now();
    let result: T;
    try {
      result = run();
    } catch (e) {
      this.leave();
      throw e;
    }
    if (result instanceof Promise) return result.finally(() => this.leave()) as T;
    this.leave();
    return result;
  }

  usage(): Usage {
    this.settle();
    return { ...this.totals };
  }

  /** @internal */
  watch(c: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    // The object's methods consume their cursors synchronously: after this turn
    // every cursor of it has its final counts.
    if (this.cursors.length === 0) queueMicrotask(() => this.settle());
    this.cursors.push(c);
  }

  private settle(): void {
    for (const c of this.cursors) {
      this.totals.rowsRead += c.rowsRead;
      this.totals.rowsWritten += c.rowsWritten;
    }
    this.cursors = [];
  }

  private leave(): void {
    if (--this.inFlight === 0) this.totals.activeMs += Date.now() - this.busySince;
  }
}

class MeteredSql implements SqlExec {
  constructor(
    private readonly sql: SqlStorage,
    private readonly meter: UsageMeter,
  ) {}

  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> {
    const c = this.sql.exec<T>(query, ...bindings);
    this.meter.watch(c as unknown as SqlStorageCursor<Record<string, SqlStorageValue>>);
    return c;
  }

  get databaseSize(): number {
    return this.sql.databaseSize;
  }
}

/**
 * Routes every call of the named methods of a Durable Object class through its
 * `meter`, so that each RPC entry point counts as a request without each method
 * having to say so. `names` is typed against the class, so a renamed method fails
 * to compile here rather than silently going unmetered.
 */
export function meterMethods<C extends { prototype: { meter: UsageMeter } }>(cls: C, names: readonly (keyof C["prototype"] & string)[]): void {
  const proto = cls.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of names) {
    const inner = proto[name]!;
    proto[name] = function (this: { meter: UsageMeter }, ...args: unknown[]) {
      return this.meter.track(() => inner.apply(this, args));
    };
  }
}
