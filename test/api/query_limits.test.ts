import { describe, expect, it } from "vitest";
import { queryRoutes } from "../../src/api/query_routes.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";

describe("query length limit", () => {
  it("answers bad_data for PromQL longer than the limit, and runs shorter queries", async () => {
    const storage = new MemoryStorage();
    const app = queryRoutes({ querier: () => storage.querier(), engine: new Engine(), maxQueryLength: 20 });
    const long = await app.request(`/query?query=${encodeURIComponent("vector(1) + vector(2) + vector(3)")}`);
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({ status: "error", errorType: "bad_data", error: 'invalid parameter "query": the query is 33 characters long, more than the limit of 20' });
    const short = await app.request(`/query?query=${encodeURIComponent("vector(1)")}`);
    expect(short.status).toBe(200);
  });
});
