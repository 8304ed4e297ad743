import { blob, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The shard's series, many per row with a symbol table (tsdb/series_catalog.ts).
 * Postings are rebuilt in memory from these labels when the object starts. */
export const seriesSegments = sqliteTable("series_segments", {
  id: integer("id").primaryKey(),
  data: blob("data").notNull(),
});

/** Sealed chunks packed many series per row, with an offset index (tsdb/block.ts).
 * `partition` is the 2h range the chunks start in; min/max time cover every chunk,
 * so retention drops whole rows. Block metadata is kept in memory, hence no indexes. */
export const blocks = sqliteTable("blocks", {
  id: integer("id").primaryKey(),
  partition: integer("partition").notNull(),
  minTime: integer("min_time").notNull(),
  maxTime: integer("max_time").notNull(),
  numChunks: integer("num_chunks").notNull(),
  numSamples: integer("num_samples").notNull(),
  idx: blob("idx").notNull(),
  data: blob("data").notNull(),
});

/** Every series' head as of WAL sequence `seq`, packed (tsdb/head_snapshot.ts). A
 * checkpoint replaces all parts; recovery replays WAL rows after `seq`. */
export const headSnapshot = sqliteTable("head_snapshot", {
  part: integer("part").primaryKey(),
  seq: integer("seq").notNull(),
  data: blob("data").notNull(),
});

// ---- legacy tables (schema 0000): read once at start-up, converted into the packed
// tables above and emptied (tsdb/legacy_rows.ts). Their indexes are dropped.

/** One row per series; `labels` is the canonical label key. */
export const series = sqliteTable("series", {
  id: integer("id").primaryKey(),
  labels: text("labels").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** (label name, value) -> series id rows. */
export const postings = sqliteTable(
  "postings",
  {
    name: text("name").notNull(),
    value: text("value").notNull(),
    seriesId: integer("series_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.value, t.seriesId] })],
);

/** One sealed chunk per row. */
export const chunks = sqliteTable("chunks", {
  id: integer("id").primaryKey(),
  seriesId: integer("series_id").notNull(),
  minTime: integer("min_time").notNull(),
  maxTime: integer("max_time").notNull(),
  numSamples: integer("num_samples").notNull(),
  ooo: integer("ooo").notNull(),
  data: blob("data").notNull(),
});

/** Per-series head rows as of WAL sequence `seq`. */
export const headChunks = sqliteTable("head_chunks", {
  seriesId: integer("series_id").primaryKey(),
  seq: integer("seq").notNull(),
  head: blob("head"),
  ooo: blob("ooo"),
});

/** Write-ahead log: one row per acknowledged append batch, deleted at checkpoints. */
export const wal = sqliteTable("wal", {
  seq: integer("seq").primaryKey(),
  data: blob("data").notNull(),
});
