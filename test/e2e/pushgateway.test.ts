import { gzipSync } from "node:zlib";
import { Pushgateway, Registry, Counter, Gauge } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELIMITED_PROTOBUF_TYPE, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import { newDtoMetric } from "../../src/textparse/dto.js";
import { startTestFederation } from "./support/federation.js";
import { startPushgateway, type Peer } from "./support/peers.js";
import { waitFor } from "./support/processes.js";

type Fed = Awaited<ReturnType<typeof startTestFederation>>;
let fed: Fed;
let real: Peer;

beforeAll(async () => {
  [fed, real] = await Promise.all([startTestFederation(), startPushgateway()]);
});

afterAll(async () => {
  await Promise.all([fed?.stop(), real?.stop()]);
});

interface Step {
  what: string;
  method: "PUT" | "POST" | "DELETE";
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Parse errors are worded by each side's own parser; only the status must agree. */
  statusOnly?: boolean;
  /** Conflicts the real gateway may report from either side (it walks a Go map, so
   * which group comes first varies from run to run): any of these. */
  oneOf?: string[];
}

const proto = () => {
  const m = newDtoMetric([{ name: "stage", value: "load" }], "counter");
  m.value = 12;
  const h = newDtoMetric([], "histogram");
  h.sampleCount = 4;
  h.sampleSum = 2.5;
  h.buckets = [
    { upperBound: 0.5, cumulativeCount: 1 },
    { upperBound: 1, cumulativeCount: 3 },
  ];
  return encodeDelimitedFamilies([
    { name: "etl_rows_total", help: "Rows loaded.", type: "COUNTER", metrics: [m] },
    { name: "etl_seconds", help: "", type: "HISTOGRAM", metrics: [h] },
  ]);
};

/** A native histogram (with one classic bucket) as client_golang pushes it. */
const nativeProto = () => {
  const h = newDtoMetric([{ name: "op", value: "copy" }], "histogram");
  h.sampleCount = 5;
  h.sampleSum = 3.25;
  h.buckets = [{ upperBound: 1, cumulativeCount: 4 }];
  h.native = {
    schema: 1,
    zeroThreshold: 1e-9,
    zeroCount: 1,
    positiveSpans: [{ offset: -2, length: 3 }],
    positiveCounts: [1, 2, 1],
    negativeSpans: [],
    negativeCounts: [],
    integer: true,
    exemplars: [],
  };
  return encodeDelimitedFamilies([{ name: "native_copy_seconds", help: "Copy time.", type: "HISTOGRAM", metrics: [h] }]);
};

const STEPS: Step[] = [
  {
    what: "PUT a group with every metric type",
    method: "PUT",
    path: "/metrics/job/batch/instance/i1",
    body: [
      "# HELP batch_last_success Last success.",
      "# TYPE batch_last_success gauge",
      "batch_last_success 1.7e+09",
      "# TYPE batch_runs counter",
      'batch_runs{kind="full"} 3',
      'batch_runs{kind="incr"} 9',
      "# TYPE batch_latency summary",
      'batch_latency{quantile="0.5"} 0.2',
      'batch_latency{quantile="0.9"} 0.7',
      "batch_latency_sum 12",
      "batch_latency_count 40",
      "# TYPE batch_size histogram",
      'batch_size_bucket{le="10"} 1',
      'batch_size_bucket{le="100"} 5',
      'batch_size_bucket{le="+Inf"} 6',
      "batch_size_sum 300",
      "batch_size_count 6",
      "untyped_thing 1",
      "",
    ].join("\n"),
  },
  { what: "POST replaces only the families it carries", method: "POST", path: "/metrics/job/batch/instance/i1", body: "# TYPE batch_last_success gauge\nbatch_last_success 1.8e+09\n" },
  { what: "a pushed job label is overridden by the grouping key", method: "PUT", path: "/metrics/job/other", body: 'clash{job="pretend",instance="x"} 1\n' },
  {
    what: "a type conflicting with another group's is rejected",
    method: "POST",
    path: "/metrics/job/conflict",
    body: "# TYPE batch_last_success counter\nbatch_last_success 1\n",
    oneOf: [
      'pushed metrics are invalid or inconsistent with existing metrics: collected metric "batch_last_success" { label:<name:"instance" value:"" > label:<name:"job" value:"conflict" > counter:<value:1 > } is not a GAUGE\n',
      'pushed metrics are invalid or inconsistent with existing metrics: collected metric "batch_last_success" { label:<name:"instance" value:"i1" > label:<name:"job" value:"batch" > gauge:<value:1.8e+09 > } is not a COUNTER\n',
    ],
  },
  { what: "pushed timestamps are rejected", method: "PUT", path: "/metrics/job/stamped", body: "stamped_metric 1 1700000000000\n" },
  { what: "malformed text is rejected whole", method: "PUT", path: "/metrics/job/broken", body: "good_metric 1\nbad_metric{ 2\n", statusOnly: true },
  { what: "a value that is not a number is rejected", method: "POST", path: "/metrics/job/broken", body: "bad_value abc\n", statusOnly: true },
  { what: "base64 job and label values", method: "PUT", path: "/metrics/job@base64/YmFja3VwL2RhaWx5/path@base64/L3Zhci90bXA=", body: "b64_metric 1\n" },
  { what: "an empty base64 value", method: "PUT", path: "/metrics/job/emptyval/instance@base64/=", body: "ev_metric 1\n" },
  { what: "odd path components", method: "PUT", path: "/metrics/job/x/odd", body: "m 1\n" },
  { what: "an improper label name", method: "PUT", path: "/metrics/job/x/__reserved/v", body: "m 1\n" },
  { what: "a bad base64 label value", method: "PUT", path: "/metrics/job/x/a@base64/!!", body: "m 1\n" },
  { what: "an empty job", method: "PUT", path: "/metrics/job@base64/=", body: "m 1\n" },
  {
    what: "the same series in two groups",
    method: "PUT",
    path: "/metrics/job/other/instance/x",
    body: "clash 2\n",
    oneOf: [1, 2].map(
      (v) =>
        `pushed metrics are invalid or inconsistent with existing metrics: collected metric "clash" { label:<name:"instance" value:"x" > label:<name:"job" value:"other" > untyped:<value:${v} > } was collected before with the same name and label values\n`,
    ),
  },
  { what: "a help string differing from another group's", method: "PUT", path: "/metrics/job/helpdiff", body: "# HELP batch_last_success Another help.\n# TYPE batch_last_success gauge\nbatch_last_success 5\n" },
  {
    what: "a name colliding with a summary's _count",
    method: "PUT",
    path: "/metrics/job/suffix",
    body: "batch_latency_count 1\n",
    oneOf: [
      'pushed metrics are invalid or inconsistent with existing metrics: collected metric named "batch_latency_count" collides with previously collected summary named "batch_latency"\n',
      'pushed metrics are invalid or inconsistent with existing metrics: collected histogram or summary named "batch_latency" collides with previously collected metric named "batch_latency_count"\n',
    ],
  },
  { what: "a duplicate series within a push", method: "PUT", path: "/metrics/job/dup", body: 'dup_metric{a="1"} 1\ndup_metric{a="1"} 2\n' },
  { what: "delimited protobuf, as Go's client sends", method: "PUT", path: "/metrics/job/etl", body: proto(), headers: { "content-type": DELIMITED_PROTOBUF_TYPE } },
  { what: "a native histogram in protobuf", method: "PUT", path: "/metrics/job/native", body: nativeProto(), headers: { "content-type": DELIMITED_PROTOBUF_TYPE } },
  { what: "a truncated protobuf body", method: "PUT", path: "/metrics/job/etl2", body: proto().slice(0, 20), headers: { "content-type": DELIMITED_PROTOBUF_TYPE }, statusOnly: true },
  { what: "a gzip-compressed body", method: "POST", path: "/metrics/job/zipped", body: new Uint8Array(gzipSync("zipped_metric 3\n")), headers: { "content-encoding": "gzip" } },
  { what: "an empty PUT clears a group's metrics", method: "PUT", path: "/metrics/job/other", body: "" },
  { what: "DELETE removes a group", method: "DELETE", path: "/metrics/job/zipped" },
  { what: "DELETE of a group that does not exist", method: "DELETE", path: "/metrics/job/never" },
];

async function send(base: string, s: Step): Promise<{ status: number; text: string }> {
  const init: RequestInit = { method: s.method, headers: s.headers ?? {} };
  if (s.body !== undefined) init.body = s.body;
  const r = await fetch(base + s.path, init);
  return { status: r.status, text: await r.text() };
}

/** /api/v1/metrics without what differs by nature: push times and group order. */
async function groups(base: string): Promise<unknown[]> {
  const body = (await (await fetch(base + "/api/v1/metrics")).json()) as { status: string; data: Record<string, any>[] };
  expect(body.status).toBe("success");
  return body.data
    .map((g) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === "labels" || k === "last_push_successful") out[k] = v;
        else if (k === "push_time_seconds" || k === "push_failure_time_seconds") out[k] = { ...v, time_stamp: "-", metrics: v.metrics.map((m: any) => ({ ...m, value: m.value === "0" ? "0" : "set" })) };
        else out[k] = { ...v, time_stamp: "-" };
      }
      return out;
    })
    .sort((a, b) => (JSON.stringify(a["labels"]) < JSON.stringify(b["labels"]) ? -1 : 1));
}

/** /metrics series lines without the gateways' own metrics and push-time values.
 * batch_last_success is pushed with two help strings on purpose; the real gateway
 * exposes either one (it walks a Go map), so its HELP line is not compared. */
async function series(base: string): Promise<string[]> {
  const text = await (await fetch(base + "/metrics")).text();
  return text
    .split("\n")
    .filter((l) => l !== "" && !/^(# (HELP|TYPE) )?(go_|process_|pushgateway_)/.test(l) && !l.startsWith("# HELP batch_last_success "))
    .map((l) => (/^push_(failure_)?time_seconds\{/.test(l) ? l.replace(/ [^ ]+$/, (v) => (v === " 0" ? " 0" : " <time>")) : l));
}

describe("edgeprom's Pushgateway against Debian's prometheus-pushgateway", () => {
  it("gives the same answers, groups and series for the same pushes", async () => {
    const ours = `${fed.urls["local-a"]}/pushgateway`;
    for (const step of STEPS) {
      const [a, b] = [await send(real.url, step), await send(ours, step)];
      expect({ step: step.what, status: b.status }).toEqual({ step: step.what, status: a.status });
      if (step.oneOf !== undefined) {
        expect(step.oneOf).toContain(a.text);
        expect(step.oneOf).toContain(b.text);
      } else if (!step.statusOnly) expect({ step: step.what, text: b.text }).toEqual({ step: step.what, text: a.text });
      expect({ step: step.what, groups: await groups(ours) }).toEqual({ step: step.what, groups: await groups(real.url) });
      expect({ step: step.what, series: await series(ours) }).toEqual({ step: step.what, series: await series(real.url) });
    }
    for (const base of [real.url, ours]) expect((await fetch(base + "/api/v1/admin/wipe", { method: "PUT" })).status).toBe(202);
    expect(await groups(ours)).toEqual([]);
    expect(await groups(real.url)).toEqual([]);
  });
});

describe("prom-client's Pushgateway class against the local federation", () => {
  it("pushes, adds and deletes, and the global tier answers PromQL over the pushed value", async () => {
    const registry = new Registry();
    const processed = new Counter({ name: "nightly_records_processed_total", help: "Records processed.", registers: [registry] });
    const lastRun = new Gauge({ name: "nightly_last_run_seconds", help: "End of the last run.", registers: [registry] });
    processed.inc(1234);
    lastRun.set(1_700_000_000);
    const gw = new Pushgateway(`${fed.urls["local-a"]}/pushgateway`, {}, registry);
    const pushed = await gw.pushAdd({ jobName: "nightly", groupings: { instance: "batch-host" } });
    expect(pushed.resp).toMatchObject({ statusCode: 200 });
    processed.inc(1);
    await gw.push({ jobName: "nightly", groupings: { instance: "batch-host" } });

    const api = (await (await fetch(`${fed.urls["local-a"]}/pushgateway/api/v1/metrics`)).json()) as { data: Record<string, any>[] };
    const group = api.data.find((g) => g["labels"].job === "nightly")!;
    expect(group["nightly_records_processed_total"].metrics[0].value).toBe("1235");

    const q = encodeURIComponent('nightly_records_processed_total{job="nightly",instance="batch-host"}');
    const value = await waitFor(
      "the pushed counter in the global tier",
      async () => {
        const r = (await (await fetch(`${fed.urls.global}/api/v1/query?query=${q}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        return r.data.result[0];
      },
      90_000,
      1000,
    );
    expect(value.value[1]).toBe("1235");
    expect(value.metric).toMatchObject({ job: "nightly", instance: "batch-host", region: "local-a" });

    await gw.delete({ jobName: "nightly", groupings: { instance: "batch-host" } });
    const after = (await (await fetch(`${fed.urls["local-a"]}/pushgateway/api/v1/metrics`)).json()) as { data: Record<string, any>[] };
    expect(after.data.find((g) => g["labels"].job === "nightly")).toBeUndefined();
  });
});
