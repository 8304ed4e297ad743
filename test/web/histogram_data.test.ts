import { describe, expect, it } from "vitest";
import { bucketRange, cellAt, hasHistograms, heatColor, heatmapCells, parseHistogram, type HistogramMatrixSeries } from "../../src/web/client/query/histogram_data.js";
import { memoryApi } from "./support/memory_api.js";

/** A range query's result from the real API over native histograms loaded in memory. */
async function rangeQuery(loads: string, query: string, start: number, end: number, step: number): Promise<HistogramMatrixSeries[]> {
  const api = await memoryApi(loads);
  const res = await api.request(`/api/v1/query_range?query=${encodeURIComponent(query)}&start=${start}&end=${end}&step=${step}`);
  const body = (await res.json()) as { status: string; data: { result: HistogramMatrixSeries[] } };
  expect(body.status).toBe("success");
  return body.data.result;
}

describe("native histograms for the UI", () => {
  it("turns the API's histogram samples into one heatmap cell per non-empty bucket and step", async () => {
    const result = await rangeQuery(
      ["load 1m", '  lat{job="api"} {{schema:0 sum:5 count:4 buckets:[1 2 1]}}x4', '  plain{job="api"} 1x4'].join("\n"),
      "lat",
      0,
      240,
      60,
    );
    expect(hasHistograms(result)).toBe(true);
    expect(hasHistograms(await rangeQuery("load 1m\n  plain 1x4", "plain", 0, 240, 60))).toBe(false);
    const map = heatmapCells(result[0]!, 0, 240_000, 60_000);
    // Schema 0: each bucket doubles, (0.5,1], (1,2], (2,4].
    expect(map.boundaries).toEqual([0.5, 1, 2, 4]);
    expect(map.cells).toHaveLength(5 * 3);
    expect(map.max).toBe(2);
    const first = map.cells.filter((c) => c.t === 0);
    expect(first.map((c) => [c.y0, c.y1, c.bucket.count, bucketRange(c.bucket)])).toEqual([
      [0, 1, 1, "(0.5, 1]"],
      [1, 2, 2, "(1, 2]"],
      [2, 3, 1, "(2, 4]"],
    ]);
    // One step wide, centred on the sample and clipped to the range.
    expect(first.map((c) => [c.x0, c.x1])).toEqual([[0, 30], [0, 30], [0, 30]]);
    const mid = map.cells.filter((c) => c.t === 120);
    expect(mid.map((c) => [c.x0, c.x1])).toEqual([[90, 150], [90, 150], [90, 150]]);
    expect(cellAt(map, 100, 1.5)).toBe(mid[1]);
    expect(cellAt(map, 100, 3.5)).toBeUndefined();
    const h = parseHistogram({ count: "4", sum: "5", buckets: [[0, "0.5", "1", "1"]] });
    expect(h).toEqual({ count: 4, sum: 5, buckets: [{ rule: 0, lower: 0.5, upper: 1, count: 1 }] });
  });

  it("places negative, zero and positive buckets on one ascending boundary scale, rates as well as counts", async () => {
    const loads = ["load 1m", "  h {{schema:0 z_bucket:1 z_bucket_w:0.001 n_buckets:[2] buckets:[1 0 3] sum:1 count:7}}+{{schema:0 z_bucket:1 z_bucket_w:0.001 n_buckets:[2] buckets:[1 0 3] sum:1 count:7}}x10"].join("\n");
    const [series] = await rangeQuery(loads, "rate(h[2m])", 300, 600, 60);
    const map = heatmapCells(series!, 300_000, 600_000, 60_000);
    expect(map.boundaries).toEqual([-1, -0.5, -0.001, 0.001, 0.5, 1, 2, 4]);
    // The empty (1,2] bucket has no cell; the others: 4 per step, 6 steps.
    expect(map.cells).toHaveLength(4 * 6);
    for (const c of map.cells) {
      expect(map.boundaries[c.y0]).toBe(c.bucket.lower);
      expect(map.boundaries[c.y1]).toBe(c.bucket.upper);
      expect(c.bucket.count).toBeGreaterThan(0);
    }
    // The rate of the bucket of 3 per minute is the largest, 3/60 per second.
    expect(map.max).toBeCloseTo(3 / 60, 12);
    expect(map.cells.find((c) => c.bucket.lower === -0.001)).toMatchObject({ bucket: { rule: 3 } });
    expect.assertions(1 + 4 + 3 * 24);
  });

  it("colours from pale at zero to deep at the maximum", () => {
    expect(heatColor(0)).toBe("rgb(198,219,239)");
    expect(heatColor(1)).toBe("rgb(63,0,125)");
    expect(heatColor(2)).toBe(heatColor(1));
    expect(heatColor(NaN)).toBe(heatColor(0));
  });
});
