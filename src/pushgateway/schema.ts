import { blob, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per group: its grouping labels (JSON) and each family's push time (JSON
 * name -> ms). A push rewrites only its group's rows. */
export const pushGroups = sqliteTable("push_groups", {
  key: text("key").primaryKey(),
  labels: text("labels").notNull(),
  pushTimes: text("push_times").notNull(),
});

/** A group's families as delimited protobuf MetricFamily messages, cut into parts
 * numbered from 0: a Durable Object's SQLite refuses any row over about 2 MB
 * (SQLITE_TOOBIG), and a 100k-series push encodes to several times that. */
export const pushGroupParts = sqliteTable(
  "push_group_parts",
  {
    key: text("key").notNull(),
    seq: integer("seq").notNull(),
    data: blob("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.seq] })],
);
