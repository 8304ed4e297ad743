import { blob, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A RemoteWriteQueue's pending samples: encoded WriteRequest segments, oldest first. */
export const rwSegments = sqliteTable("rw_segments", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  enqueuedAt: integer("enqueued_at").notNull(),
  samples: integer("samples").notNull(),
  maxT: real("max_t").notNull(),
  body: blob("body").notNull(),
});

/** The queue's settings, backoff and counters (one JSON row, key "state"). */
export const rwState = sqliteTable("rw_state", {
  k: text("k").primaryKey(),
  v: text("v").notNull(),
});
