import { defineConfig } from "drizzle-kit";

/** Each SQLite-backed Durable Object class has its own schema and migrations folder:
 * `npx drizzle-kit generate` (SeriesStore),
 * `DRIZZLE_SCHEMA=pushgateway npx drizzle-kit generate` (PushGateway) and
 * `DRIZZLE_SCHEMA=remote_write_queue npx drizzle-kit generate` (RemoteWriteQueue), and so on
 * for every key below. */
const schemas: Record<string, string> = {
  series_store: "./src/tsdb/schema.ts",
  pushgateway: "./src/pushgateway/schema.ts",
  alertmanager: "./src/alertmanager/schema.ts",
  remote_write_queue: "./src/remote/schema.ts",
  scrape_scheduler: "./src/scrape/schema.ts",
  rule_evaluator: "./src/rules/schema.ts",
};
const which = process.env["DRIZZLE_SCHEMA"] ?? "series_store";
const schema = schemas[which];
if (schema === undefined) throw new Error(`DRIZZLE_SCHEMA must be one of ${Object.keys(schemas).join(", ")}`);

export default defineConfig({
  out: `./migrations/${which}`,
  schema,
  dialect: "sqlite",
  driver: "durable-sqlite",
});
