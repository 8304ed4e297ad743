/**
 * Benchmark of the remote write decoders: snappy + protobuf WriteRequest bodies of
 * node_exporter-shaped series. Run alone with `npx tsx bench/remote.ts`.
 */

import { readFileSync } from "node:fs";
import type { Label } from "../src/model/labels.js";
import type { Sample } from "../src/model/sample.js";
import { snappyCompress, snappyDecompress } from "../src/remote/snappy.js";
import {
  type WriteRequestInput,
  decodeRemoteWriteBody,
  decodeWriteRequest,
  encodeRemoteWriteBody,
} from "../src/remote/write_request.js";
import { decodeWriteRequestV2 } from "../src/remote/write_request_v2.js";
import { encodeV2 } from "../test/remote/support/rw2_encoder.js";
import { type BenchResult, isMainModule, kindFor, rng, valueGen } from "./chunkenc.js";
import { printResults } from "./print_results.js";

const FAMILIES: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, readonly string[]]>]> = [
  ["node_cpu_seconds_total", [["cpu", ["0", "1", "2", "3"]], ["mode", ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]]]],
  ["node_network_receive_bytes_total", [["device", ["eth0", "lo", "docker0", "veth1a2b3c"]]]],
  ["node_network_transmit_packets_total", [["device", ["eth0", "lo", "docker0", "veth1a2b3c"]]]],
  ["node_disk_read_bytes_total", [["device", ["sda", "sdb", "nvme0n1", "dm-0"]]]],
  ["node_filesystem_avail_bytes", [["device", ["/dev/sda1", "tmpfs", "overlay"]], ["fstype", ["ext4", "tmpfs"]], ["mountpoint", ["/", "/run", "/var/lib/docker"]]]],
  ["node_memory_MemAvailable_bytes", []],
  ["node_load1", []],
  ["node_scrape_collector_duration_seconds", [["collector", ["cpu", "diskstats", "filesystem", "loadavg", "meminfo", "netdev", "stat", "time", "uname", "vmstat"]]]],
  ["go_gc_duration_seconds", [["quantile", ["0", "0.25", "0.5", "0.75", "1"]]]],
];

/** Label sets of a node_exporter scrape per host, cycling over families. */
function nodeExporterLabelSets(n: number): Label[][] {
  const perHost: Array<Array<[string, string]>> = [];
  for (const [name, dims] of FAMILIES) {
    let combos: Array<Array<[string, string]>> = [[]];
    for (const [dim, values] of dims) combos = combos.flatMap((c) => values.map((v) => [...c, [dim, v] as [string, string]]));
    for (const c of combos) perHost.push([["__name__", name], ...c]);
  }
  const out: Label[][] = [];
  for (let i = 0; out.length < n; i++) {
    const host = Math.floor(i / perHost.length);
    const base = perHost[i % perHost.length]!;
    // Prometheus sends labels sorted by name.
    const ls: Label[] = [...base, ["instance", `host-${host}.example.internal:9100`], ["job", "node"]]
      .map(([name, value]) => ({ name: name!, value: value! }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push(ls);
  }
  return out;
}

export function nodeExporterWriteRequest(numSeries: number, samplesPerSeries: number, seed = 7): WriteRequestInput {
  const r = rng(seed);
  const labelSets = nodeExporterLabelSets(numSeries);
  const t0 = 1_700_000_000_000;
  return {
    timeseries: labelSets.map((labels, i) => {
      const gen = valueGen(kindFor(i, numSeries), r);
      const samples: Sample[] = [];
      for (let k = 0; k < samplesPerSeries; k++) samples.push({ t: t0 + k * 15_000 + Math.floor(r() * 5), v: gen() });
      return { labels, samples };
    }),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median ms per call over enough repetitions to last ~`budgetMs`. */
export function timePerCall(f: () => void, budgetMs = 300): number {
  for (let i = 0; i < 20; i++) f();
  const times: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (times.length < 15 || (performance.now() < deadline && times.length < 2000)) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function benchRemote(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const [series, per] of [
    [2000, 1],
    [500, 10],
  ] as const) {
    const req = nodeExporterWriteRequest(series, per);
    const body = encodeRemoteWriteBody(req);
    const raw = snappyDecompress(body);
    const samples = series * per;
    const tag = `${series}x${per}`;
    let count = 0;
    const full = timePerCall(() => {
      count = decodeRemoteWriteBody(body).timeseries.length;
    });
    if (count !== series) throw new Error("decoded series count mismatch");
    const protoOnly = timePerCall(() => {
      decodeWriteRequest(raw);
    });
    const unsnappy = timePerCall(() => {
      snappyDecompress(body);
    });
    const snappyEnc = timePerCall(() => {
      snappyCompress(raw);
    });
    // The same series as remote write 2.0 (interned symbols), from the test tree's
    // encoder: its decode speed and body size next to 1.0's.
    const v2 = snappyCompress(encodeV2(req.timeseries.map((ts) => ({ labels: ts.labels.map((l) => [l.name, l.value] as [string, string]), samples: [...ts.samples] }))));
    const v2Full = timePerCall(() => {
      count = decodeWriteRequestV2(snappyDecompress(v2)).timeseries.length;
    });
    if (count !== series) throw new Error("decoded v2 series count mismatch");
    out.push(
      { name: `remote.decode_body_v2_${tag}`, value: samples / (v2Full / 1000), unit: "samples/s" },
      { name: `remote.v2_decode_time_vs_v1_${tag}`, value: v2Full / full, unit: "x" },
      { name: `remote.v2_body_bytes_vs_v1_${tag}`, value: v2.length / body.length, unit: "x" },
      { name: `remote.decode_body_${tag}`, value: samples / (full / 1000), unit: "samples/s" },
      { name: `remote.decode_proto_${tag}`, value: samples / (protoOnly / 1000), unit: "samples/s" },
      { name: `remote.snappy_decompress_${tag}`, value: raw.length / 1e6 / (unsnappy / 1000), unit: "MB/s" },
      { name: `remote.snappy_compress_${tag}`, value: raw.length / 1e6 / (snappyEnc / 1000), unit: "MB/s" },
      { name: `remote.body_bytes_per_sample_${tag}`, value: body.length / samples, unit: "B/sample" },
      { name: `remote.snappy_ratio_${tag}`, value: raw.length / body.length, unit: "x" },
    );
  }
  // A real body: 500 series x 1 sample as Prometheus 2.42 sent them (test fixture).
  const real = new Uint8Array(readFileSync(new URL("../test/remote/fixtures/prometheus-2.42-samples.snappy", import.meta.url)));
  const realMs = timePerCall(() => {
    decodeRemoteWriteBody(real);
  });
  out.push({ name: "remote.decode_body_prometheus_fixture_500x1", value: 500 / (realMs / 1000), unit: "samples/s" });
  return out;
}

if (isMainModule(import.meta.url)) {
  void benchRemote().then((rs) => {
    printResults(rs, 40, 12);
  });
}
