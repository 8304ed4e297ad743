import { sqliteTable, text } from "drizzle-orm/sqlite-core";

// The Alertmanager Durable Object's state, one JSON document per row: rows change one
// at a time (an alert, a group, a log entry, a silence) and are all read at start-up.

export const amAlerts = sqliteTable("am_alerts", { fingerprint: text("fingerprint").primaryKey(), doc: text("doc").notNull() });
export const amGroups = sqliteTable("am_groups", { key: text("key").primaryKey(), doc: text("doc").notNull() });
export const amNflog = sqliteTable("am_nflog", { key: text("key").primaryKey(), doc: text("doc").notNull() });
export const amSilences = sqliteTable("am_silences", { id: text("id").primaryKey(), doc: text("doc").notNull() });
/** The applied configuration's text, to tell a reload from a restart. */
export const amMeta = sqliteTable("am_meta", { key: text("key").primaryKey(), value: text("value").notNull() });
