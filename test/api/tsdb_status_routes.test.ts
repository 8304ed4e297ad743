import { describe, expect, it } from "vitest";
import { tsdbStatusRoutes } from "../../src/api/tsdb_status_routes.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";

const T0 = 1_700_000_000_000;

async function storageWith(series: [Record<string, string>, number[]][]): Promise<MemoryStorage> {
  const st = new MemoryStorage();
  const app = st.appender();
  for (const [labels, times] of series) for (const t of times) app.append(labelsFromRecord(labels), t, 1);
  await app.commit();
  return st;
}

async function get(st: MemoryStorage, query = "", now = () => T0) {
  const res = await tsdbStatusRoutes({ storage: () => st, now }).request(`/status/tsdb${query}`);
  return { status: res.status, body: (await res.json()) as any };
}

describe("/api/v1/status/tsdb", () => {
  const three: [Record<string, string>, number[]][] = [
    [{ __name__: "up", job: "a", instance: "x" }, [T0 - 30_000, T0 - 15_000]],
    [{ __name__: "up", job: "b", instance: "y" }, [T0 - 60_000]],
    [{ __name__: "http_requests_total", job: "a", instance: "x", code: "200" }, [T0 - 45_000, T0 - 5_000]],
  ];

  it("answers Prometheus' shape with its postings statistics", async () => {
    const { status, body } = await get(await storageWith(three));
    expect(status).toBe(200);
    expect(body.status).toBe("success");
    const d = body.data;
    expect(d.headStats).toEqual({ numSeries: 3, numLabelPairs: 7, chunkCount: 0, minTime: T0 - 60_000, maxTime: T0 - 5_000 });
    expect(d.seriesCountByMetricName).toEqual([
      { name: "up", value: 2 },
      { name: "http_requests_total", value: 1 },
    ]);
    expect(d.labelValueCountByLabelName).toEqual([
      { name: "__name__", value: 2 },
      { name: "instance", value: 2 },
      { name: "job", value: 2 },
      { name: "code", value: 1 },
    ]);
    // Each label costs its name and value with a one-byte length prefix, per series.
    expect(d.memoryInBytesByLabelName).toEqual([
      { name: "__name__", value: 2 * (9 + 3) + (9 + 20) },
      { name: "instance", value: 3 * (9 + 2) },
      { name: "job", value: 3 * (4 + 2) },
      { name: "code", value: 5 + 4 },
    ]);
    expect(d.seriesCountByLabelValuePair.slice(0, 4)).toEqual([
      { name: "__name__=up", value: 2 },
      { name: "instance=x", value: 2 },
      { name: "job=a", value: 2 },
      { name: "__name__=http_requests_total", value: 1 },
    ]);
    expect(d.seriesCountByLabelValuePair).toHaveLength(7);
  });

  it("cuts every list at limit and validates it as Prometheus does", async () => {
    const st = await storageWith(three);
    const { body } = await get(st, "?limit=1");
    expect(body.data.seriesCountByMetricName).toEqual([{ name: "up", value: 2 }]);
    expect(body.data.seriesCountByLabelValuePair).toHaveLength(1);
    expect(await get(st, "?limit=0")).toEqual({ status: 400, body: { status: "error", errorType: "bad_data", error: "limit must be a positive number" } });
    expect((await get(st, "?limit=x")).body.error).toBe("limit must be a positive number");
    expect((await get(st, "?limit=10001")).body.error).toBe("limit must not exceed 10000");
  });

  it("reports an empty head with Prometheus' sentinel times", async () => {
    const { body } = await get(new MemoryStorage());
    expect(body.data.headStats.numSeries).toBe(0);
    expect(body.data.headStats.minTime).toBeGreaterThan(body.data.headStats.maxTime);
    expect(body.data.seriesCountByMetricName).toEqual([]);
  });

  it("keeps the statistics for 30 s, as Prometheus caches them", async () => {
    const st = await storageWith(three);
    let now = T0;
    const app = tsdbStatusRoutes({ storage: () => st, now: () => now });
    const numSeries = async () => ((await (await app.request("/status/tsdb")).json()) as any).data.headStats.numSeries;
    expect(await numSeries()).toBe(3);
    const a = st.appender();
    a.append(labelsFromRecord({ __name__: "new_metric" }), T0, 1);
    await a.commit();
    now += 29_000;
    expect(await numSeries()).toBe(3);
    now += 2_000;
    expect(await numSeries()).toBe(4);
  });
});
