import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { encodeRemoteWriteBody } from "../../src/remote/write_request.js";

const NOW = Date.now();

describe("/api/v1/status/tsdb over the tier's SeriesStore shards", () => {
  it("counts the stored series and their labels, newest and oldest sample", async () => {
    const series = [
      { labels: { __name__: "tsdb_a", job: "x" }, samples: [[NOW - 60_000, 1], [NOW - 1000, 2]] },
      { labels: { __name__: "tsdb_a", job: "y" }, samples: [[NOW - 30_000, 1]] },
      { labels: { __name__: "tsdb_b", job: "x" }, samples: [[NOW - 120_000, 1]] },
    ];
    const body = encodeRemoteWriteBody({
      timeseries: series.map((s) => ({ labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })), samples: s.samples.map(([t, v]) => ({ t: t!, v: v! })) })),
    });
    const w = await SELF.fetch("http://region/api/v1/write", { method: "POST", headers: { "content-encoding": "snappy", "content-type": "application/x-protobuf" }, body });
    expect(w.status).toBe(204);
    const res = await SELF.fetch("http://region/api/v1/status/tsdb");
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as any;
    expect(data.headStats).toMatchObject({ numSeries: 3, numLabelPairs: 4, minTime: NOW - 120_000, maxTime: NOW - 1000 });
    expect(data.seriesCountByMetricName).toEqual([
      { name: "tsdb_a", value: 2 },
      { name: "tsdb_b", value: 1 },
    ]);
    expect(data.seriesCountByLabelValuePair[0]).toEqual({ name: "__name__=tsdb_a", value: 2 });
    expect(data.labelValueCountByLabelName).toEqual([
      { name: "__name__", value: 2 },
      { name: "job", value: 2 },
    ]);
  });
});
