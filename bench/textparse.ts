// Parser and writer throughput on a node_exporter-shaped page, built in code so the
// figures are comparable between runs and machines.
import { pathToFileURL } from "node:url";
import { labelsFromRecord } from "../src/model/labels.js";
import type { MetricType } from "../src/model/metadata.js";
import {
  parseExposition,
  parseExpositionBatches,
  parseExpositionStream,
  writeExposition,
  type ExpositionFormat,
  type FamilySample,
  type MetricFamily,
} from "../src/textparse/index.js";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

/** Deterministic pseudo-random numbers (a 32-bit LCG): same page on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Row = [Record<string, string>, number];

/** About 1,900 series in the shapes node_exporter exposes: per-CPU counters,
 * filesystem and device gauges with long label values, info metrics, a summary and
 * classic histograms. Counters end in _total and every family has help text and a
 * base unit, so the page is also clean for `promtool check metrics`. */
export function nodeExporterFamilies(): MetricFamily[] {
  const r = rng(9100);
  const fams: MetricFamily[] = [];
  const add = (name: string, type: MetricType, help: string, rows: Row[], suffix = ""): void => {
    const samples: FamilySample[] = rows.map(([labels, value]) => ({
      labels: labelsFromRecord({ __name__: name + suffix, ...labels }),
      value,
    }));
    fams.push({ name, type, help, samples });
  };
  const cpus = Array.from({ length: 32 }, (_, i) => String(i));
  const modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
  const mounts = [
    ["/dev/nvme0n1p2", "ext4", "/"],
    ["/dev/nvme0n1p1", "vfat", "/boot/efi"],
    ["/dev/mapper/vg0-home", "ext4", "/home"],
    ["/dev/mapper/vg0-var", "xfs", "/var"],
    ["/dev/sda1", "xfs", "/srv/data"],
    ["tmpfs", "tmpfs", "/run"],
    ["tmpfs", "tmpfs", "/run/lock"],
    ["tmpfs", "tmpfs", "/run/user/1000"],
    ["tmpfs", "tmpfs", "/dev/shm"],
    ["overlay", "overlay", "/var/lib/docker/overlay2/4c1d0e7a9b3f/merged"],
    ["overlay", "overlay", "/var/lib/docker/overlay2/77aa01f2c9de/merged"],
    ["nfs.example.org:/export/home", "nfs4", "/mnt/nfs home"],
  ] as const;
  const disks = ["nvme0n1", "nvme1n1", "sda", "sdb", "dm-0", "dm-1", "dm-2", "loop0"];
  const nics = ["lo", "eth0", "eth1", "docker0", "veth1a2b3c4", "wlan0"];

  fams.push({
    name: "go_gc_duration_seconds",
    type: "summary",
    help: "A summary of the pause duration of garbage collection cycles.",
    samples: [
      ...["0", "0.25", "0.5", "0.75", "1"].map((quantile, i) => ({
        labels: labelsFromRecord({ __name__: "go_gc_duration_seconds", quantile }),
        value: 1.9e-5 * (i + 1) + r() * 1e-5,
      })),
      { labels: labelsFromRecord({ __name__: "go_gc_duration_seconds_sum" }), value: 0.0213 },
      { labels: labelsFromRecord({ __name__: "go_gc_duration_seconds_count" }), value: 1432 },
    ],
  });
  add("go_goroutines", "gauge", "Number of goroutines that currently exist.", [[{}, 8]]);
  add("go_info", "gauge", "Information about the Go environment.", [[{ version: "go1.19.8" }, 1]]);
  for (const m of ["alloc", "heap_alloc", "heap_idle", "heap_inuse", "heap_released", "heap_sys", "mcache_inuse", "mspan_sys", "next_gc", "other_sys", "stack_inuse", "stack_sys", "sys"]) {
    add(`go_memstats_${m}_bytes`, "gauge", `Number of ${m.replace(/_/g, " ")} bytes.`, [[{}, Math.round(r() * 4e7)]]);
  }
  add("go_memstats_mallocs_total", "counter", "Total number of mallocs.", [[{}, Math.round(r() * 1e8)]]);
  add("node_boot_time_seconds", "gauge", "Node boot time, in unixtime.", [[{}, 1700000000 + Math.round(r() * 1e6)]]);
  add("node_context_switches_total", "counter", "Total number of context switches.", [[{}, Math.round(r() * 1e10)]]);
  add(
    "node_cpu_seconds_total",
    "counter",
    "Seconds the CPUs spent in each mode.",
    cpus.flatMap((cpu) => modes.map((mode): Row => [{ cpu, mode }, Math.round(r() * 1e8) / 100])),
  );
  add(
    "node_cpu_guest_seconds_total",
    "counter",
    "Seconds the CPUs spent in guests (VMs) for each mode.",
    cpus.flatMap((cpu) => ["nice", "user"].map((mode): Row => [{ cpu, mode }, 0])),
  );
  add(
    "node_cpu_scaling_frequency_hertz",
    "gauge",
    "Current scaled CPU thread frequency in hertz.",
    cpus.map((cpu): Row => [{ cpu }, 8e8 + Math.round(r() * 40) * 1e8]),
  );
  for (const [m, help] of [
    ["avail_bytes", "Filesystem space available to non-root users in bytes."],
    ["free_bytes", "Filesystem free space in bytes."],
    ["size_bytes", "Filesystem size in bytes."],
    ["files", "Filesystem total file nodes."],
    ["files_free", "Filesystem total free file nodes."],
    ["readonly", "Filesystem read-only status."],
    ["device_error", "Whether an error occurred while getting statistics for the given device."],
  ] as const) {
    add(
      `node_filesystem_${m}`,
      "gauge",
      help,
      mounts.map(([device, fstype, mountpoint]): Row => [{ device, fstype, mountpoint }, m.endsWith("bytes") ? Math.round(r() * 2e12) : Math.round(r() * 3)]),
    );
  }
  for (const m of ["reads_completed", "reads_merged", "read_bytes", "read_time_seconds", "writes_completed", "writes_merged", "written_bytes", "write_time_seconds", "io_time_seconds", "io_time_weighted_seconds", "discards_completed", "discarded_sectors", "flush_requests", "flush_requests_time_seconds"]) {
    add(`node_disk_${m}_total`, "counter", `The total number of ${m.replace(/_/g, " ")}.`, disks.map((device): Row => [{ device }, Math.round(r() * 1e9) / (m.endsWith("seconds") ? 1000 : 1)]));
  }
  add("node_disk_io_now", "gauge", "The number of I/Os currently in progress.", disks.map((device): Row => [{ device }, Math.round(r() * 4)]));
  for (const m of ["receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame", "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed"]) {
    add(`node_network_${m}_total`, "counter", `Network device statistic ${m}.`, nics.map((device): Row => [{ device }, Math.round(r() * 1e12)]));
  }
  for (const m of ["mtu_bytes", "speed_bytes", "up", "carrier", "transmit_queue_length", "iface_id", "flags", "address_assign_type"]) {
    add(`node_network_${m}`, "gauge", `Network device property ${m}.`, nics.map((device): Row => [{ device }, Math.round(r() * 1500)]));
  }
  add(
    "node_network_info",
    "gauge",
    "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
    nics.map((device, i): Row => [
      { address: `02:42:ac:11:00:0${i}`, broadcast: "ff:ff:ff:ff:ff:ff", device, duplex: "full", ifalias: "", operstate: i === 0 ? "unknown" : "up" },
      1,
    ]),
  );
  for (const m of ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive", "Active_anon", "Inactive_anon", "Active_file", "Inactive_file", "Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "NFS_Unstable", "Bounce", "WritebackTmp", "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk", "Percpu", "HardwareCorrupted", "AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped", "Hugepagesize", "Hugetlb", "DirectMap4k", "DirectMap2M", "DirectMap1G"]) {
    add(`node_memory_${m.toLowerCase()}_bytes`, "gauge", `Memory information field ${m}_bytes.`, [[{}, Math.round(r() * 3.4e10)]]);
  }
  for (const m of ["Icmp_InErrors", "Icmp_InMsgs", "Icmp_OutMsgs", "Ip_Forwarding", "Tcp_ActiveOpens", "Tcp_CurrEstab", "Tcp_InErrs", "Tcp_InSegs", "Tcp_OutRsts", "Tcp_OutSegs", "Tcp_PassiveOpens", "Tcp_RetransSegs", "TcpExt_ListenDrops", "TcpExt_ListenOverflows", "TcpExt_SyncookiesFailed", "TcpExt_TCPTimeouts", "Udp_InDatagrams", "Udp_InErrors", "Udp_NoPorts", "Udp_OutDatagrams", "Udp_RcvbufErrors", "Udp_SndbufErrors"]) {
    add(`node_netstat_${m.toLowerCase()}_total`, "counter", `Statistic ${m}.`, [[{}, Math.round(r() * 1e7)]]);
  }
  for (const m of ["running_seconds", "waiting_seconds", "timeslices"]) {
    add(`node_schedstat_${m}_total`, "counter", `Number of ${m.replace("_", " ")} by each CPU.`, cpus.map((cpu): Row => [{ cpu }, Math.round(r() * 1e9) / 1e3]));
  }
  for (const m of ["processed", "dropped", "times_squeezed"]) {
    add(`node_softnet_${m}_total`, "counter", `Number of ${m} packets.`, cpus.map((cpu): Row => [{ cpu }, Math.round(r() * 1e6)]));
  }
  add(
    "node_hwmon_temp_celsius",
    "gauge",
    "Hardware monitor for temperature (input).",
    Array.from({ length: 20 }, (_, i): Row => [{ chip: `platform_coretemp_${i >> 3}`, sensor: `temp${i % 8}` }, 30 + Math.round(r() * 500) / 10]),
  );
  add(
    "node_interrupts_total",
    "counter",
    "Interrupt details.",
    cpus.flatMap((cpu) =>
      Array.from({ length: 12 }, (_, i): Row => [
        i < 6
          ? { cpu, devices: `nvme0q${i}`, info: "PCI-MSI", type: String(120 + i) }
          : { cpu, devices: "", info: `${["Local timer", "Rescheduling", "Function call", "TLB shootdown", "Non-maskable", "Performance monitoring"][i - 6]!} interrupts`, type: ["LOC", "RES", "CAL", "TLB", "NMI", "PMI"][i - 6]! },
        Math.round(r() * 1e8),
      ]),
    ),
  );
  const collectors = ["arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi", "edac", "entropy", "fibrechannel", "filefd", "filesystem", "hwmon", "infiniband", "ipvs", "loadavg", "mdadm", "meminfo", "netclass", "netdev", "netstat", "nfs", "nfsd", "nvme", "os", "powersupplyclass", "pressure", "rapl", "schedstat", "selinux", "sockstat", "softnet", "stat", "tapestats", "textfile", "thermal_zone", "time", "timex"];
  add("node_scrape_collector_duration_seconds", "gauge", "node_exporter: Duration of a collector scrape.", collectors.map((collector): Row => [{ collector }, r() * 1e-3]));
  add("node_scrape_collector_success", "gauge", "node_exporter: Whether a collector succeeded.", collectors.map((collector): Row => [{ collector }, r() < 0.9 ? 1 : 0]));
  const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
  const hist = (name: string, help: string, handlers: string[]): void => {
    const samples: FamilySample[] = [];
    for (const handler of handlers) {
      let count = 0;
      for (const le of bounds) {
        count += Math.round(r() * 1000);
        samples.push({ labels: labelsFromRecord({ __name__: name + "_bucket", handler, le: le === Infinity ? "+Inf" : String(le) }), value: count });
      }
      samples.push({ labels: labelsFromRecord({ __name__: name + "_sum", handler }), value: Math.round(r() * 1e6) / 1e3 });
      samples.push({ labels: labelsFromRecord({ __name__: name + "_count", handler }), value: count });
    }
    fams.push({ name, type: "histogram", help, samples });
  };
  hist("promhttp_request_duration_seconds", "Histogram of latencies for HTTP requests.", ["/metrics", "/", "/-/healthy", "/-/ready"]);
  hist("node_textfile_scrape_duration_seconds", "Histogram of textfile collector scrape durations.", ["cron", "backup", "smart"]);
  add(
    "node_exporter_build_info",
    "gauge",
    "A metric with a constant '1' value labeled by version, revision, branch, and goversion from which node_exporter was built.",
    [[{ branch: "debian/sid", goversion: "go1.19.8", revision: "1.5.0-1+b6", version: "1.5.0" }, 1]],
  );
  add(
    "node_os_info",
    "gauge",
    "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    [[{ id: "debian", name: "Debian GNU/Linux", pretty_name: "Debian GNU/Linux 12 (bookworm)", version: "12 (bookworm)", version_codename: "bookworm", version_id: "12" }, 1]],
  );
  add("node_uname_info", "gauge", "Labeled system information as provided by the uname system call.", [
    [{ domainname: "(none)", machine: "x86_64", nodename: "host-01.example.org", release: "6.1.0-13-amd64", sysname: "Linux", version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) "quoted"' }, 1],
  ]);
  return fams;
}

export function nodeExporterPage(format: ExpositionFormat): string {
  return writeExposition(nodeExporterFamilies(), format);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median milliseconds per call of `f`. A round repeats `f` until it has run for at
 * least 25 ms, so timer resolution and single GC pauses do not dominate; warm-up
 * rounds let the JIT settle first. */
async function timeMedian(rounds: number, f: () => unknown): Promise<number> {
  let reps = 1;
  for (let warm = 0; warm < 5; warm++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await f();
    const ms = performance.now() - t0;
    if (ms < 25) reps = Math.max(reps, Math.ceil((reps * 25) / Math.max(ms, 0.01)));
  }
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await f();
    times.push((performance.now() - t0) / reps);
  }
  return median(times);
}

function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

export async function benchTextparse(): Promise<BenchResult[]> {
  const rounds = 15;
  const families = nodeExporterFamilies();
  const samples = families.reduce((n, f) => n + f.samples.length, 0);
  const out: BenchResult[] = [{ name: "textparse.page.samples", value: samples, unit: "samples" }];
  for (const format of ["text", "openmetrics"] as const) {
    const page = writeExposition(families, format);
    const mb = new TextEncoder().encode(page).length / 1e6;
    const parseMs = await timeMedian(rounds, () => parseExposition(page, format));
    out.push(
      { name: `textparse.parse.${format}`, value: Math.round(samples / (parseMs / 1000)), unit: "samples/s" },
      { name: `textparse.parse.${format}.throughput`, value: Math.round((mb / (parseMs / 1000)) * 10) / 10, unit: "MB/s" },
    );
    // A fetch body in 16 KiB chunks, consumed in batches as the scrape loop would,
    // and entry by entry.
    const batchMs = await timeMedian(rounds, async () => {
      let n = 0;
      for await (const batch of parseExpositionBatches(chunked(page, 16384), format)) n += batch.length;
      return n;
    });
    out.push({ name: `textparse.parse_stream_batches.${format}`, value: Math.round(samples / (batchMs / 1000)), unit: "samples/s" });
    const streamMs = await timeMedian(rounds, async () => {
      let n = 0;
      for await (const e of parseExpositionStream(chunked(page, 16384), format)) if (e.kind === "sample") n++;
      return n;
    });
    out.push({ name: `textparse.parse_stream.${format}`, value: Math.round(samples / (streamMs / 1000)), unit: "samples/s" });
    const writeMs = await timeMedian(rounds, () => writeExposition(families, format));
    out.push({ name: `textparse.write.${format}`, value: Math.round(samples / (writeMs / 1000)), unit: "samples/s" });
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchTextparse()) console.log(`${r.name.padEnd(40)} ${String(r.value).padStart(12)} ${r.unit}`);
}
