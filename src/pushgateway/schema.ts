import { blob, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per group: its grouping labels (JSON), its families as delimited protobuf
 * MetricFamily messages, and each family's push time (JSON name -> ms). A push
 * rewrites only its group's row. */
export const pushGroups = sqliteTable("push_groups", {
  key: text("key").primaryKey(),
  labels: text("labels").notNull(),
  families: blob("families").notNull(),
  pushTimes: text("push_times").notNull(),
});
