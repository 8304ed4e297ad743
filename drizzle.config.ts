import { defineConfig } from "drizzle-kit";

export default defineConfig({
  out: "./migrations",
  schema: "./src/tsdb/schema.ts",
  dialect: "sqlite",
  driver: "durable-sqlite",
});
