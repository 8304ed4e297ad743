/** WAL records. A record is accepted samples of one append batch, laid out as
 * float64s: [seriesId, n, t1, v1, ..., tn, vn]*, or for native histograms
 * [-seriesId, byteLength, bytes...] with the bytes of histogram_record.ts padded to
 * whole float64s, or for consecutive series with one sample each at the same time (a
 * scrape) [0, n, t, id1, v1, ..., idn, vn], half the size, and when those series' ids
 * follow each other (a steady scrape's series, created in the order it appends them)
 * [0, -n, t, id1, v1, ..., vn], a quarter; a batch larger than one SQLite row
 * allows is written as several records (rows) of one transaction. Float64 keeps every value bit-exact
 * (stale markers included) and encodes with a single copy; the WAL only lives until
 * the next checkpoint, so its size matters less than its cost on the append path. */

/** Starts a record of one-sample series sharing their time (ids start at 1). */
const SHARED_TIME = 0;

export class WalWriter {
  private buf: Float64Array;
  private len = 0;
  private countAt = -1;
  /** Where the last record starts while it can take another one-sample series
   * (a one-sample or a shared-time record ending at len), else -1. */
  private openAt = -1;

  /** `floats`: the record size expected, so that a batch's record is not regrown. */
  constructor(floats = 1024) {
    this.buf = new Float64Array(Math.max(16, floats));
  }

  /** Empties the writer for a new batch (a failed one may have left a record), with
   * room for `floats`: one writer serves every batch without a new buffer each. */
  reset(floats: number): void {
    this.len = 0;
    this.countAt = -1;
    this.openAt = -1;
    if (this.buf.length < floats) this.buf = new Float64Array(floats);
  }

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

  /** Ends a series opened with startSeries: dropped when it got no samples, merged
   * into the record before when both hold one sample at the same time. */
  endSeries(): void {
    const buf = this.buf;
    const n = buf[this.countAt];
    if (n === 0) {
      this.len -= 2;
      return;
    }
    const at = this.countAt - 1;
    const prev = this.openAt;
    if (n !== 1) {
      this.openAt = -1;
      return;
    }
    if (prev < 0 || buf[prev + 2] !== buf[at + 2]) {
      this.openAt = at;
      return;
    }
    const id = buf[at]!;
    const v = buf[at + 3]!;
    const t = buf[at + 2]!;
    if (buf[prev] === SHARED_TIME) {
      const count = buf[prev + 1]!;
      if (count < 0) {
        // A run takes the next id as one more value; any other id starts a record.
        if (id !== buf[prev + 3]! - count) {
          this.openAt = at;
          return;
        }
        buf[prev + 1] = count - 1;
        buf[at] = v;
        this.len = at + 1;
        return;
      }
      if (id === buf[at - 2]! + 1) {
        // [0, n, t, ..., id0, v0][id, 1, t, v] -> [0, n-1, t, ...][0, -2, t, id0, v0, v]
        const from = at - 2;
        const id0 = buf[from]!;
        const v0 = buf[from + 1]!;
        buf[prev + 1] = count - 1;
        this.writeRun(from, t, id0, v0, v);
        return;
      }
      buf[prev + 1] = count + 1;
      buf[at] = id;
      buf[at + 1] = v;
      this.len = at + 2;
      return;
    }
    const id0 = buf[prev]!;
    const v0 = buf[prev + 3]!;
    if (id === id0 + 1) {
      // [id0, 1, t, v0][id0+1, 1, t, v] -> [0, -2, t, id0, v0, v]
      this.writeRun(prev, t, id0, v0, v);
      return;
    }
    // [id0, 1, t, v0][id, 1, t, v] -> [0, 2, t, id0, v0, id, v]
    buf[prev] = SHARED_TIME;
    buf[prev + 1] = 2;
    buf[prev + 3] = id0;
    buf[prev + 4] = v0;
    buf[prev + 5] = id;
    buf[prev + 6] = v;
    this.len = prev + 7;
  }

  /** Writes the run record [0, -2, t, id0, v0, v] at `at` and leaves it open. */
  private writeRun(at: number, t: number, id0: number, v0: number, v: number): void {
    const buf = this.buf;
    buf[at] = SHARED_TIME;
    buf[at + 1] = -2;
    buf[at + 2] = t;
    buf[at + 3] = id0;
    buf[at + 4] = v0;
    buf[at + 5] = v;
    this.len = at + 6;
    this.openAt = at;
  }

  /** A record of native histogram samples (encoded by histogram_record.ts). */
  addHistograms(id: number, data: Uint8Array): void {
    const slots = Math.ceil(data.byteLength / 8);
    this.openAt = -1;
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
    this.openAt = -1;
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
    if (id === SHARED_TIME && n < 0) {
      const t = f[i + 2]!;
      const id0 = f[i + 3]!;
      for (let k = 0; k < -n; k++) yield { id: id0 + k, ts: Float64Array.of(t), vs: Float64Array.of(f[i + 4 + k]!) };
      i += 4 - n;
      continue;
    }
    if (id === SHARED_TIME) {
      const t = f[i + 2]!;
      for (let k = 0; k < n; k++) yield { id: f[i + 3 + 2 * k]!, ts: Float64Array.of(t), vs: Float64Array.of(f[i + 4 + 2 * k]!) };
      i += 3 + 2 * n;
      continue;
    }
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
