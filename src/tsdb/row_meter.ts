/**
 * Rows read and written by a SeriesStore's SQL, from the cursors' own rowsRead and
 * rowsWritten (what Cloudflare bills). A cursor's counts grow while it is iterated,
 * so cursors are summed when the totals are asked for (or when many have piled up).
 */
export class RowMeter {
  read = 0;
  written = 0;
  private live: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];

  /** A SqlStorage whose every statement is counted here. */
  wrap(sql: SqlStorage): SqlStorage {
    const meter = this;
    return new Proxy(sql, {
      get(target, prop) {
        if (prop === "exec") {
          return <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T> => {
            const cursor = target.exec<T>(query, ...bindings);
            meter.track(cursor as unknown as SqlStorageCursor<Record<string, SqlStorageValue>>);
            return cursor;
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  totals(): { rowsRead: number; rowsWritten: number } {
    this.settle();
    return { rowsRead: this.read, rowsWritten: this.written };
  }

  private track(c: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    this.live.push(c);
    if (this.live.length >= 4096) this.settle();
  }

  private settle(): void {
    for (const c of this.live) {
      this.read += c.rowsRead;
      this.written += c.rowsWritten;
    }
    this.live = [];
  }
}
