import { describe, expect, it } from "vitest";
import { queryRoutes } from "../../src/api/query_routes.js";
import { labelsFromRecord } from "../../src/model/labels.js";
import { Engine } from "../../src/promql/engine/engine.js";
import { parseHistogramLiteral } from "../../src/promql/promqltest/values.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";

/** Native histograms in /api/v1/query and query_range answers, in Prometheus' JSON:
 * "histogram"/"histograms" instead of "value"/"values", buckets as
 * [boundary rule, lower, upper, count]. */
async function app() {
  const storage = new MemoryStorage();
  const a = storage.appender();
  const h = parseHistogramLiteral("{{schema:0 count:5 sum:3 z_bucket:1 z_bucket_w:0.001 buckets:[2 1] n_buckets:[1]}}").h;
  a.appendHistogram!(labelsFromRecord({ __name__: "h" }), 60_000, h);
  a.appendHistogram!(labelsFromRecord({ __name__: "e" }), 60_000, parseHistogramLiteral("{{count:0 sum:0}}").h);
  a.append(labelsFromRecord({ __name__: "mixed" }), 0, 1);
  a.appendHistogram!(labelsFromRecord({ __name__: "mixed" }), 60_000, parseHistogramLiteral("{{schema:-53 count:2 sum:7 custom_values:[5] buckets:[1 1]}}").h);
  await a.commit();
  return queryRoutes({ querier: () => storage.querier(), engine: new Engine() });
}

describe("native histograms in query results", () => {
  it("writes an instant vector's histogram with its populated buckets from the lowest up", async () => {
    const res = await (await app()).request(`/query?query=h&time=60`);
    expect(await res.text()).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"h"},"histogram":[60,{"count":"5","sum":"3",' +
        '"buckets":[[1,"-1","-0.5","1"],[3,"-0.001","0.001","1"],[0,"0.5","1","2"],[0,"1","2","1"]]}]}]}}',
    );
  });

  it("leaves out the buckets key when no bucket is populated", async () => {
    const res = await (await app()).request(`/query?query=e&time=60`);
    expect(await res.text()).toBe('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"e"},"histogram":[60,{"count":"0","sum":"0"}]}]}}');
  });

  it("puts a range query's floats under values and its histograms under histograms", async () => {
    const res = await (await app()).request(`/query_range?query=mixed&start=0&end=60&step=60`);
    // Custom buckets: the first is [-Inf,5] (rule 3: its lower end is inclusive), the last (5,+Inf].
    expect(await res.text()).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"mixed"},"values":[[0,"1"]],' +
        '"histograms":[[60,{"count":"2","sum":"7","buckets":[[3,"-Inf","5","1"],[0,"5","+Inf","1"]]}]]}]}}',
    );
  });
});
