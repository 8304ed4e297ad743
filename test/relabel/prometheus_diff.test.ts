// Differential test against the real thing: Debian's Prometheus (2.42) is given static
// targets and relabel_configs that exercise every action, and the targets it reports
// on /api/v1/targets (labels, discovered labels, scrape URL, interval, timeout; and
// which targets are dropped or rejected) must equal what populateTargetLabels
// computes for the same input. Nothing needs to listen on the targets' ports.
//
// Prometheus 2.42 adds :80/:443 to addresses without a port unless started with
// --enable-feature=no-default-scrape-port (Prometheus 3 never adds them), so two
// instances run: the default one is compared with `defaultPorts: true`, the flagged
// one with edgeprom's default behaviour.
//
// Prometheus 2.42 has a bug: relabel.Process writes each step's result into the
// backing array of its input, so the `discoveredLabels` it reports are overwritten
// as soon as a relabel step changes a label (fixed in 2.43 by "relabel: keep
// intermediate results in labels.Builder"). Discovered labels are therefore compared
// only for jobs whose relabel_configs never change labels (FILTER_JOBS); for the
// others every other field of the active targets is compared exactly, and the number
// of dropped targets.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { parseDuration } from "../../src/model/time.js";
import { StaticDiscoverer } from "../../src/discovery/static.js";
import { compileRelabelConfigs } from "../../src/relabel/relabel.js";
import { relabelConfig, type RelabelAction } from "../../src/relabel/relabel_config.js";
import { targetsFromGroup, type PopulateOptions } from "../../src/relabel/target.js";
import { freePort, requireBinary, startPeer, waitForHttp, type Peer } from "../textparse/peers.js";

const PROMETHEUS = "/usr/bin/prometheus";

interface RawRelabel {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: RelabelAction;
}

interface Job {
  job_name: string;
  scheme?: string;
  metrics_path?: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  params?: Record<string, string[]>;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs?: RawRelabel[];
}

const GLOBAL = { scrape_interval: "1h", scrape_timeout: "10s", evaluation_interval: "1h" };

const JOBS: Job[] = [
  {
    job_name: "all_actions",
    static_configs: [
      {
        targets: ["127.0.0.1:10001", "127.0.0.1:10002", "127.0.0.1:10003", "127.0.0.1:10004", "127.0.0.1:10005", "127.0.0.1:10006"],
        labels: { env: "Prod", team: "alpha", __meta_x_app: "web", __meta_x_tier: "Front" },
      },
      { targets: ["127.0.0.1:10007", "127.0.0.1:10008"], labels: { env: "dev", team: "beta" } },
      { targets: ["127.0.0.1:10009"], labels: { drop_me: "yes", env: "Prod" } },
      { targets: ["127.0.0.1:10010/path", "http://127.0.0.1:10011"] },
    ],
    relabel_configs: [
      { source_labels: ["drop_me"], regex: "yes", action: "drop" },
      { source_labels: ["__address__"], regex: "(?P<host>[^:]+):(\\d+)", target_label: "port", replacement: "$2" },
      { source_labels: ["__address__"], regex: "(?P<host>[^:]+):(\\d+)", target_label: "host", replacement: "${host}" },
      { source_labels: ["team"], target_label: "team_${1}", replacement: "member" },
      { source_labels: ["__address__"], modulus: 4, target_label: "__tmp_shard", action: "hashmod" },
      { source_labels: ["__tmp_shard"], regex: "[0-2]", action: "keep" },
      { source_labels: ["env"], target_label: "env_lower", action: "lowercase" },
      { source_labels: ["team", "env"], separator: "/", target_label: "team_env_upper", action: "uppercase" },
      { regex: "__meta_x_(.+)", replacement: "x_$1", action: "labelmap" },
      { source_labels: ["port"], target_label: "__tmp_port" },
      { source_labels: ["port"], target_label: "__tmp_port", action: "keepequal" },
      { source_labels: ["env"], target_label: "env_lower", action: "dropequal" },
      { regex: "team_beta", action: "labeldrop" },
      { source_labels: ["env", "port"], separator: "-", regex: "(.*)-(.*)", target_label: "id", replacement: "${1}_$2$$" },
      { source_labels: ["__tmp_shard"], target_label: "shard" },
      { source_labels: ["nonexistent"], target_label: "team" },
      { source_labels: ["host"], regex: "127\\.0\\.0\\.1", target_label: "host", replacement: "$1" },
      { regex: "(__.+|job|instance|env|env_lower|team_.+|x_.+|port|host|id|shard)", action: "labelkeep" },
    ],
  },
  {
    job_name: "probe",
    scheme: "https",
    metrics_path: "/probe",
    scrape_interval: "30m",
    scrape_timeout: "15s",
    params: { module: ["http_2xx"], extra: ["a b", "c&d"] },
    static_configs: [{ targets: ["https://example.com/health", "tcp://10.0.0.1:22"], labels: { kind: "blackbox" } }],
    relabel_configs: [
      { source_labels: ["__address__"], target_label: "__param_target" },
      { source_labels: ["__param_target"], target_label: "instance" },
      { target_label: "__address__", replacement: "127.0.0.1:9115" },
    ],
  },
  {
    job_name: "overrides",
    scrape_interval: "2m",
    scrape_timeout: "1m",
    static_configs: [
      { targets: ["127.0.0.2", "127.0.0.3:9100", "[::1]"], labels: { a: "1" } },
      { targets: ["127.0.0.4:9100"], labels: { slow: "yes" } },
      { targets: ["127.0.0.5:9100"], labels: { broken: "yes" } },
      { targets: ["127.0.0.6:9100"], labels: { __scheme__: "https", __metrics_path__: "/custom path", instance: "given" } },
      { targets: ["127.0.0.7:9100"], labels: { noaddr: "yes" } },
      { targets: ["127.0.0.8:9100"], labels: { uppercase_me: "MiXeD ünïcödé" } },
    ],
    relabel_configs: [
      { source_labels: ["slow"], regex: "yes", target_label: "__scrape_interval__", replacement: "10m" },
      { source_labels: ["slow"], regex: "yes", target_label: "__scrape_timeout__", replacement: "5m" },
      { source_labels: ["broken"], regex: "yes", target_label: "__scrape_timeout__", replacement: "5m" },
      { source_labels: ["noaddr"], regex: "yes", target_label: "__address__", replacement: "" },
      { source_labels: ["uppercase_me"], target_label: "upper", action: "uppercase" },
      { source_labels: ["uppercase_me"], target_label: "lower", action: "lowercase" },
      { source_labels: ["__address__", "a"], separator: "|", modulus: 1000003, target_label: "bucket", action: "hashmod" },
    ],
  },
  {
    job_name: "filters",
    scheme: "https",
    metrics_path: "/federate",
    params: { "match[]": ['{job="x"}', "up"] },
    static_configs: [
      { targets: ["127.0.0.9:9100", "127.0.0.9:9101"], labels: { a: "same", b: "same", env: "prod" } },
      { targets: ["127.0.0.9:9102"], labels: { a: "same", b: "other", env: "prod" } },
      { targets: ["127.0.0.9:9103"], labels: { a: "x", b: "x", env: "staging" } },
      { targets: ["127.0.0.9:9104"], labels: { a: "y", env: "prod", __param_x: "own" } },
      { targets: ["127.0.0.9:9105"], labels: { a: "y", b: "", env: "prod", skip: "true" } },
    ],
    relabel_configs: [
      { source_labels: ["skip"], regex: "true", action: "drop" },
      { source_labels: ["env", "a"], regex: "prod;.*", action: "keep" },
      { source_labels: ["a"], target_label: "b", action: "keepequal" },
      { source_labels: ["__address__"], regex: "127\\.0\\.0\\.9:9101", action: "drop" },
      { source_labels: ["a"], target_label: "c", action: "dropequal" },
    ],
  },
  {
    job_name: "plain",
    scrape_interval: "90s",
    scrape_timeout: "1m15s",
    static_configs: [{ targets: ["127.0.0.10:9100", "127.0.0.10:9101"], labels: { __meta_kept: "no", instance: "" } }, { targets: [] }],
  },
];

/** Jobs whose relabel_configs never change a label: Prometheus 2.42 reports their
 * discovered labels correctly. */
const FILTER_JOBS = new Set(
  JOBS.filter((j) => (j.relabel_configs ?? []).every((r) => ["keep", "drop", "keepequal", "dropequal"].includes(r.action ?? "replace"))).map(
    (j) => j.job_name,
  ),
);

interface ApiTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  scrapeInterval: string;
  scrapeTimeout: string;
}
interface ApiTargets {
  activeTargets: ApiTarget[];
  droppedTargets: { discoveredLabels: Record<string, string> }[];
}

interface Expected {
  /** Active targets without their discovered labels. */
  active: string[];
  /** Discovered labels of the active targets of FILTER_JOBS. */
  activeDiscovered: string[];
  /** Discovered labels of the dropped targets of FILTER_JOBS. */
  dropped: string[];
  droppedCount: number;
}

function canon(o: unknown): string {
  return JSON.stringify(o, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** What edgeprom computes for JOBS. */
async function expected(opts: PopulateOptions): Promise<Expected> {
  const active: string[] = [];
  const activeDiscovered: string[] = [];
  const dropped: string[] = [];
  let droppedCount = 0;
  for (const job of JOBS) {
    const relabel = compileRelabelConfigs(
      (job.relabel_configs ?? []).map((r) =>
        relabelConfig({
          ...(r.source_labels !== undefined ? { sourceLabels: r.source_labels } : {}),
          ...(r.separator !== undefined ? { separator: r.separator } : {}),
          ...(r.regex !== undefined ? { regex: r.regex } : {}),
          ...(r.modulus !== undefined ? { modulus: r.modulus } : {}),
          ...(r.target_label !== undefined ? { targetLabel: r.target_label } : {}),
          ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
          ...(r.action !== undefined ? { action: r.action } : {}),
        }),
      ),
    );
    const cfg = {
      jobName: job.job_name,
      scheme: job.scheme ?? "http",
      metricsPath: job.metrics_path ?? "/metrics",
      scrapeInterval: parseDuration(job.scrape_interval ?? GLOBAL.scrape_interval),
      scrapeTimeout: parseDuration(job.scrape_timeout ?? GLOBAL.scrape_timeout),
      ...(job.params !== undefined ? { params: job.params } : {}),
    };
    for (const group of await new StaticDiscoverer(job.static_configs).refresh()) {
      for (const t of targetsFromGroup(group, cfg, relabel, opts)) {
        if (t.error !== undefined) continue; // Prometheus lists neither active nor dropped
        if (t.dropped === true) {
          droppedCount++;
          if (FILTER_JOBS.has(job.job_name)) dropped.push(canon(labelsToRecord(t.discoveredLabels)));
          continue;
        }
        if (FILTER_JOBS.has(job.job_name)) activeDiscovered.push(canon(labelsToRecord(t.discoveredLabels)));
        const internal = labelsToRecord(t.internalLabels);
        active.push(
          canon({
            labels: labelsToRecord(t.labels),
            scrapePool: job.job_name,
            scrapeUrl: t.scrapeUrl,
            scrapeInterval: internal["__scrape_interval__"],
            scrapeTimeout: internal["__scrape_timeout__"],
          }),
        );
      }
    }
  }
  return { active: active.sort(), activeDiscovered: activeDiscovered.sort(), dropped: dropped.sort(), droppedCount };
}

function actual(body: ApiTargets): Expected {
  const filterJob = (d: Record<string, string>): boolean => FILTER_JOBS.has(d["job"] ?? "");
  return {
    active: body.activeTargets
      .map((t) =>
        canon({
          labels: t.labels,
          scrapePool: t.scrapePool,
          scrapeUrl: t.scrapeUrl,
          scrapeInterval: t.scrapeInterval,
          scrapeTimeout: t.scrapeTimeout,
        }),
      )
      .sort(),
    activeDiscovered: body.activeTargets
      .filter((t) => FILTER_JOBS.has(t.scrapePool))
      .map((t) => canon(t.discoveredLabels))
      .sort(),
    dropped: body.droppedTargets
      .filter((t) => filterJob(t.discoveredLabels))
      .map((t) => canon(t.discoveredLabels))
      .sort(),
    droppedCount: body.droppedTargets.length,
  };
}

interface Instance {
  peer: Peer;
  api: string;
}

const instances: Instance[] = [];
let dataDir = "";
let setupError: unknown;

async function start(name: string, extraArgs: string[]): Promise<Instance> {
  const dir = join(dataDir, name);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const peer = startPeer(PROMETHEUS, [
    `--config.file=${join(dataDir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...extraArgs,
  ]);
  const inst = { peer, api };
  instances.push(inst);
  await waitForHttp(peer, `${api}/-/ready`, 30000);
  return inst;
}

/** The targets once every job shows up and two reads 500 ms apart agree. */
async function settledTargets(inst: Instance): Promise<ApiTargets> {
  const deadline = Date.now() + 45000;
  let previous = "";
  for (;;) {
    const res = await fetch(`${inst.api}/api/v1/targets?state=any`);
    const body = (await res.json()) as { status: string; data: ApiTargets };
    const pools = new Set(body.data.activeTargets.map((t) => t.scrapePool));
    const text = canon(actual(body.data));
    if (JOBS.every((j) => pools.has(j.job_name)) && text === previous) return body.data;
    previous = text;
    if (Date.now() > deadline) throw new Error(`targets did not settle: ${JSON.stringify(body.data)}\n${inst.peer.log()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  try {
    requireBinary(PROMETHEUS, "prometheus");
    dataDir = mkdtempSync(join(tmpdir(), "edgeprom-relabel-"));
    writeFileSync(join(dataDir, "prometheus.yml"), stringify({ global: GLOBAL, scrape_configs: JOBS }));
    await Promise.all([start("v2ports", []), start("noports", ["--enable-feature=no-default-scrape-port"])]);
  } catch (e) {
    setupError = e;
  }
}, 90000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.peer.stop()));
  if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
});

function ready(): void {
  if (setupError !== undefined) throw setupError;
}

describe("populateTargetLabels against Prometheus 2.42's /api/v1/targets", () => {
  it("exercises every relabel action in the config", () => {
    const used = new Set(JOBS.flatMap((j) => (j.relabel_configs ?? []).map((r) => r.action ?? "replace")));
    expect([...used].sort()).toEqual(
      ["drop", "dropequal", "hashmod", "keep", "keepequal", "labeldrop", "labelkeep", "labelmap", "lowercase", "replace", "uppercase"].sort(),
    );
  });

  it("matches Prometheus with default ports (Prometheus 2 behaviour, defaultPorts: true)", async () => {
    ready();
    const got = actual(await settledTargets(instances[0]!));
    const want = await expected({ defaultPorts: true });
    expect(want.active.length).toBeGreaterThan(10);
    expect(want.activeDiscovered.length).toBeGreaterThan(2);
    expect(want.dropped.length).toBeGreaterThan(2);
    expect(got).toEqual(want);
  }, 60000);

  it("matches Prometheus with no-default-scrape-port (edgeprom's and Prometheus 3's behaviour)", async () => {
    ready();
    const got = actual(await settledTargets(instances[1]!));
    const want = await expected({});
    expect(got).toEqual(want);
  }, 60000);
});
