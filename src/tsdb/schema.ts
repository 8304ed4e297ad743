import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per series of this shard; `labels` is the canonical label key
 * (model/labels.labelsKey), unique, so a series is created once. */
export const series = sqliteTable("series", {
  id: integer("id").primaryKey(),
  labels: text("labels").notNull().unique(),
  createdAt: integer("created_at").notNull(),
});

/** The inverted index: (label name, value) -> series ids. Loaded into memory when the
 * object starts; label name/value listings read it directly. */
export const postings = sqliteTable(
  "postings",
  {
    name: text("name").notNull(),
    value: text("value").notNull(),
    seriesId: integer("series_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.value, t.seriesId] }), index("postings_series").on(t.seriesId)],
);

/** Sealed Gorilla XOR chunks. `ooo` marks chunks cut from out-of-order samples, which
 * may overlap in-order chunks in time and are merged at query time. */
export const chunks = sqliteTable(
  "chunks",
  {
    id: integer("id").primaryKey(),
    seriesId: integer("series_id").notNull(),
    minTime: integer("min_time").notNull(),
    maxTime: integer("max_time").notNull(),
    numSamples: integer("num_samples").notNull(),
    ooo: integer("ooo").notNull(),
    data: blob("data").notNull(),
  },
  (t) => [index("chunks_series_time").on(t.seriesId, t.maxTime), index("chunks_max_time").on(t.maxTime)],
);

/** Head chunks as of WAL sequence `seq`: written per series when one of its chunks is
 * sealed and for every changed series at a checkpoint. Recovery starts from these and
 * replays only WAL records after `seq`. */
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
