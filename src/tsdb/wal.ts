/** WAL records. A record is accepted samples of one append batch, laid out as
 * float64s: [seriesId, n, t1, v1, ..., tn, vn]*, or for native histograms
 * [-seriesId, byteLength, bytes...] with the bytes of histogram_record.ts padded to
 * whole float64s; a batch larger than one SQLite row
 * allows is written as several records (rows) of one transaction. Float64 keeps every value bit-exact
 * (stale markers included) and encodes with a single copy; the WAL only lives until
 * the next checkpoint, so its size matters less than its cost on the append path. */

export class WalWriter {
  private buf = new Float64Array(1024);
  private len = 0;
  private countAt = -1;

  startSeries(id: number): void {
    this.ensure(2);
    this.buf[this.len++] = id;
    this.countAt = this.len;
    this.buf[this.len++] = 0;
  }

  add(t: number, v: number): void {
    this.ensure(2);
    this.buf[this.len++] = t;
    this.buf[this.len++] = v;
    this.buf[this.countAt]! += 1;
  }

  /** Drops a series opened with startSeries that got no samples. */
  endSeries(): void {
    if (this.buf[this.countAt] === 0) this.len -= 2;
  }

  /** A record of native histogram samples (encoded by histogram_record.ts). */
  addHistograms(id: number, data: Uint8Array): void {
    const slots = Math.ceil(data.byteLength / 8);
    this.ensure(2 + slots);
    this.buf[this.len++] = -id;
    this.buf[this.len++] = data.byteLength;
    new Uint8Array(this.buf.buffer, this.len * 8, slots * 8).fill(0).set(data);
    this.len += slots;
  }

  isEmpty(): boolean {
    return this.len === 0;
  }

  byteLength(): number {
    return this.len * 8;
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, 0, this.len * 8).slice();
  }

  /** Returns the record so far and starts the next one empty. */
  take(): Uint8Array {
    const out = this.bytes();
    this.len = 0;
    this.countAt = -1;
    return out;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Float64Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

export type WalRecord = { id: number; ts: Float64Array; vs: Float64Array; histograms?: undefined } | { id: number; histograms: Uint8Array };

export function* readWalRecord(data: Uint8Array): Generator<WalRecord> {
  const aligned = data.byteOffset % 8 === 0 ? data : data.slice();
  const f = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
  let i = 0;
  while (i + 1 < f.length) {
    const id = f[i]!;
    const n = f[i + 1]!;
    if (id < 0) {
      const start = aligned.byteOffset + (i + 2) * 8;
      yield { id: -id, histograms: new Uint8Array(aligned.buffer, start, n) };
      i += 2 + Math.ceil(n / 8);
      continue;
    }
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      ts[k] = f[i + 2 + 2 * k]!;
      vs[k] = f[i + 3 + 2 * k]!;
    }
    yield { id, ts, vs };
    i += 2 + 2 * n;
  }
}
