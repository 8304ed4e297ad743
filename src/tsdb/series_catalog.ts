import type { SqlExec } from "./usage_meter.js";
import { ByteReader, ByteWriter } from "./byte_io.js";
import type { Labels } from "../model/labels.js";

/**
 * The shard's series and their labels, many series per row: a segment row holds its
 * own symbol table (each distinct label name and value once) and every series as
 * (id, symbol refs), the way a Prometheus index stores symbols once. Postings are
 * rebuilt in memory from the labels when the object starts, so they need no rows.
 */

export interface CatalogSeries {
  id: number;
  labels: Labels;
}

const VERSION = 1;
const SEGMENT_BYTES = 1 << 20;
/** Segments smaller than this are merged by compact() once there are enough. */
const SMALL_SEGMENT = 64 << 10;

export function encodeSegment(list: readonly CatalogSeries[]): Uint8Array {
  const symbols = new Map<string, number>();
  const sym = (s: string) => {
    let i = symbols.get(s);
    if (i === undefined) symbols.set(s, (i = symbols.size));
    return i;
  };
  const body = new ByteWriter(list.length * 12 + 16);
  body.uvarint(list.length);
  let prev = 0;
  for (const s of list) {
    body.svarint(s.id - prev);
    prev = s.id;
    body.uvarint(s.labels.length);
    for (const l of s.labels) {
      body.uvarint(sym(l.name));
      body.uvarint(sym(l.value));
    }
  }
  const w = new ByteWriter(body.len + symbols.size * 16 + 8);
  w.uvarint(VERSION);
  w.uvarint(symbols.size);
  for (const s of symbols.keys()) w.string(s);
  w.bytes(body.finish());
  return w.finish();
}

export function decodeSegment(data: Uint8Array): CatalogSeries[] {
  const r = new ByteReader(data);
  const version = r.uvarint();
  if (version !== VERSION) throw new Error(`unknown series segment version ${version}`);
  const symbols: string[] = [];
  for (let n = r.uvarint(), i = 0; i < n; i++) symbols.push(r.string());
  const out: CatalogSeries[] = [];
  let id = 0;
  for (let n = r.uvarint(), i = 0; i < n; i++) {
    id += r.svarint();
    const labels: { name: string; value: string }[] = [];
    for (let k = r.uvarint(), j = 0; j < k; j++) labels.push({ name: symbols[r.uvarint()]!, value: symbols[r.uvarint()]! });
    out.push({ id, labels });
  }
  return out;
}

/** Keeps the series -> segment map; writes and rewrites segment rows. */
export class SeriesCatalog {
  private readonly segmentOf = new Map<number, number>();
  private readonly members = new Map<number, Set<number>>();
  private readonly sizes = new Map<number, number>();

  constructor(
    private readonly sql: SqlExec,
    /** Labels of a live series, for rewriting segments from memory. */
    private readonly labelsOf: (id: number) => Labels | undefined,
  ) {}

  load(fn: (s: CatalogSeries) => void): void {
    this.segmentOf.clear();
    this.members.clear();
    this.sizes.clear();
    for (const row of this.sql.exec<{ id: number; data: ArrayBuffer }>("SELECT id, data FROM series_segments")) {
      const ids = new Set<number>();
      for (const s of decodeSegment(new Uint8Array(row.data))) {
        ids.add(s.id);
        this.segmentOf.set(s.id, row.id);
        fn(s);
      }
      this.members.set(row.id, ids);
      this.sizes.set(row.id, row.data.byteLength);
    }
  }

  get segments(): number {
    return this.members.size;
  }

  /** Writes new series, as few rows as fit. */
  add(list: readonly CatalogSeries[]): void {
    let start = 0;
    let est = 0;
    for (let i = 0; i < list.length; i++) {
      // A conservative size estimate: every label string as if new.
      for (const l of list[i]!.labels) est += l.name.length * 3 + l.value.length * 3 + 4;
      if (est >= SEGMENT_BYTES || i === list.length - 1) {
        this.insert(list.slice(start, i + 1));
        start = i + 1;
        est = 0;
      }
    }
  }

  /** Removes series from their segments (rewriting each affected segment once). */
  delete(ids: Iterable<number>): void {
    const affected = new Set<number>();
    for (const id of ids) {
      const seg = this.segmentOf.get(id);
      if (seg === undefined) continue;
      this.segmentOf.delete(id);
      this.members.get(seg)!.delete(id);
      affected.add(seg);
    }
    for (const seg of affected) this.rewrite([seg]);
  }

  /** Merges small segments (from batches that created few series) into full ones. */
  compact(): void {
    const small = [...this.sizes].filter(([, size]) => size < SMALL_SEGMENT).map(([id]) => id);
    if (small.length >= 8) this.rewrite(small);
  }

  private rewrite(segs: number[]): void {
    const list: CatalogSeries[] = [];
    for (const seg of segs) {
      for (const id of this.members.get(seg)!) {
        const labels = this.labelsOf(id);
        if (labels !== undefined) list.push({ id, labels });
      }
      this.sql.exec("DELETE FROM series_segments WHERE id = ?", seg);
      for (const id of this.members.get(seg)!) this.segmentOf.delete(id);
      this.members.delete(seg);
      this.sizes.delete(seg);
    }
    list.sort((a, b) => a.id - b.id);
    if (list.length > 0) this.add(list);
  }

  private insert(list: readonly CatalogSeries[]): void {
    const data = encodeSegment(list);
    const row = this.sql
      .exec<{ id: number }>("INSERT INTO series_segments (data) VALUES (?) RETURNING id", data.buffer as ArrayBuffer)
      .one();
    const ids = new Set<number>();
    for (const s of list) {
      ids.add(s.id);
      this.segmentOf.set(s.id, row.id);
    }
    this.members.set(row.id, ids);
    this.sizes.set(row.id, data.byteLength);
  }
}
