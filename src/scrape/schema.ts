import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per active target: its last scrape's health, error and timings (JSON),
 * rewritten after every scrape. Rows written before scrape_target_metadata existed
 * also hold the metadata. */
export const scrapeTargets = sqliteTable("scrape_targets", {
  id: text("id").primaryKey(),
  state: text("state").notNull(),
});

/** The series a target's last scrape wrote (JSON arrays of series keys), kept to
 * write stale markers when they vanish, even after a restart. Cut into parts because
 * SQLite refuses rows over about 2 MB, and rewritten only when the set changes, which
 * in steady state it does not. */
export const scrapeTargetSeries = sqliteTable(
  "scrape_target_series",
  {
    id: text("id").notNull(),
    seq: integer("seq").notNull(),
    keys: text("keys").notNull(),
  },
  (t) => [primaryKey({ columns: [t.id, t.seq] })],
);

/** A target's metric metadata (TYPE, HELP, UNIT by family, JSON) from its last good
 * scrape: tens of KB for a typical exporter, and rewritten only when it changes,
 * which in steady state it does not. */
export const scrapeTargetMetadata = sqliteTable("scrape_target_metadata", {
  id: text("id").primaryKey(),
  metadata: text("metadata").notNull(),
});
