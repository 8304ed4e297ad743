import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per rule group: what saved_state.ts keeps of it (JSON). */
export const ruleGroups = sqliteTable("rule_groups", {
  key: text("key").primaryKey(),
  state: text("state").notNull(),
});

/** The series each rule wrote last (JSON array of series keys), saved apart from the
 * group and only when they change. `rule_id` (name and labels) matches them to the
 * rule after the rule file changed. */
export const ruleSeries = sqliteTable(
  "rule_series",
  {
    groupKey: text("group_key").notNull(),
    idx: integer("idx").notNull(),
    ruleId: text("rule_id").notNull(),
    keys: text("keys").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupKey, t.idx] })],
);
