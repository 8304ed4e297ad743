import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireBinary, startProcess, waitForHttp, type Running } from "./processes.js";

export interface Peer extends Running {
  url: string;
}

/** Debian's prometheus-node-exporter on a free loopback port. */
export async function startNodeExporter(): Promise<Peer> {
  const bin = requireBinary("/usr/bin/prometheus-node-exporter", "prometheus-node-exporter");
  const port = await freePort();
  const r = startProcess(bin, [`--web.listen-address=127.0.0.1:${port}`]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/metrics`);
  return { ...r, url };
}

/** Debian's Prometheus 2.42 with the given prometheus.yml body, in a temp dir. */
export async function startPrometheus(config: string, extraArgs: string[] = [], dataDir?: string): Promise<Peer> {
  const bin = requireBinary("/usr/bin/prometheus", "prometheus");
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-prom-"));
  await writeFile(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const r = startProcess(bin, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${dataDir ?? join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...extraArgs,
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/-/ready`, 60_000);
  } catch (e) {
    throw new Error(`prometheus did not become ready: ${(e as Error).message}\n${r.output().slice(-3000)}`);
  }
  return { ...r, url };
}

/** Debian's prometheus-pushgateway under /pushgateway, as edgeprom mounts its own,
 * with the admin API (wipe) enabled and no persistence file. */
export async function startPushgateway(): Promise<Peer> {
  const bin = requireBinary("/usr/bin/prometheus-pushgateway", "prometheus-pushgateway");
  const port = await freePort();
  const r = startProcess(bin, [`--web.listen-address=127.0.0.1:${port}`, "--web.route-prefix=/pushgateway", "--web.enable-admin-api", "--persistence.file="]);
  const url = `http://127.0.0.1:${port}/pushgateway`;
  await waitForHttp(`${url}/-/ready`);
  return { ...r, url };
}
