import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFederation, type Federation } from "../../../scripts/federation.js";
import { freePort } from "./processes.js";

/** The local federation as `npm start` runs it, on free ports with its own data dir. */
export async function startTestFederation(opts: { dataDir?: string; vars?: Record<string, string> } = {}): Promise<Federation & { dataDir: string; ports: Parameters<typeof startFederation>[0]["ports"] }> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "edgeprom-fed-")));
  const ports = { global: await freePort(), "local-a": await freePort(), "local-b": await freePort() };
  const fed = await startFederation({ dataDir, ports, vars: opts.vars });
  return { ...fed, dataDir, ports };
}
