// `npm start` as a user runs it: Worker vars from the environment and .dev.vars reach
// every tier, and however it is ended nothing of it keeps serving.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { descendants, killGroup, npmStart, waitAllGone, type NpmStart } from "./support/npm_start.js";
import { waitFor } from "./support/processes.js";

const dirs: string[] = [];
let running: { start: NpmStart; pids: number[] } | undefined;

async function start(opts: Parameters<typeof npmStart>[1] = {}): Promise<{ start: NpmStart; pids: number[]; workerd: number; launcher: number }> {
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-npm-start-"));
  dirs.push(dir);
  const s = await npmStart(join(dir, "data"), opts);
  const tree = descendants(s.proc.pid!);
  running = { start: s, pids: tree.map((p) => p.pid) };
  const workerd = tree.filter((p) => p.comm.startsWith("workerd"));
  expect(workerd, JSON.stringify(tree)).toHaveLength(1);
  const launcher = tree.filter((p) => p.comm === "node");
  expect(launcher, JSON.stringify(tree)).toHaveLength(1);
  return { start: s, pids: running.pids, workerd: workerd[0]!.pid, launcher: launcher[0]!.pid };
}

afterEach(() => {
  if (running) killGroup(running.start.proc, running.pids);
  running = undefined;
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const ports = (s: NpmStart) => Object.values(s.ports);

describe("npm start", () => {
  it("passes WRITE_TOKEN from the environment to every tier, and SIGTERM to npm stops every process", async () => {
    const { start: s, pids } = await start({ env: { WRITE_TOKEN: "from-env" } });
    for (const url of Object.values(s.urls)) {
      const denied = await fetch(`${url}/api/v1/write`, { method: "POST", body: "x" });
      expect(denied.status, url).toBe(401);
      const allowed = await fetch(`${url}/api/v1/write`, { method: "POST", body: "x", headers: { authorization: "Bearer from-env" } });
      expect(allowed.status, url).not.toBe(401);
    }
    process.kill(s.proc.pid!, "SIGTERM");
    await s.exited;
    expect(await waitAllGone(pids, ports(s))).toEqual({ pids: [], ports: [] });
    expect(s.output()).toContain("edgeprom: stopping");
  });

  it("passes WRITE_TOKEN from a .dev.vars file, and SIGHUP to npm stops every process", async () => {
    const dir = await mkdtemp(join(tmpdir(), "edgeprom-dev-vars-"));
    dirs.push(dir);
    await writeFile(join(dir, ".dev.vars"), '# local secrets\nWRITE_TOKEN="from-file"\n');
    const { start: s, pids } = await start({ args: ["--dev-vars", join(dir, ".dev.vars")] });
    const push = (auth?: string) =>
      fetch(`${s.urls["local-a"]}/pushgateway/metrics/job/j`, { method: "PUT", body: "m 1\n", headers: auth ? { authorization: auth } : {} });
    expect((await push()).status).toBe(401);
    expect((await push("Bearer from-file")).status).toBe(200);
    process.kill(s.proc.pid!, "SIGHUP");
    expect(await waitAllGone(pids, ports(s))).toEqual({ pids: [], ports: [] });
    expect(s.output()).toContain("edgeprom: stopping");
  });

  it("exits non-zero, naming the tiers, when workerd dies", async () => {
    const { start: s, pids, workerd } = await start();
    process.kill(workerd, "SIGKILL");
    const { code } = await s.exited;
    expect(code).not.toBe(0);
    expect(s.output()).toMatch(/workerd \(pid \d+\) exited unexpectedly: tiers global :\d+, local-a :\d+ and local-b :\d+ are down/);
    expect(await waitAllGone(pids, ports(s))).toEqual({ pids: [], ports: [] });
  });

  it("does not leave workerd serving when the launcher is SIGKILLed", async () => {
    const { start: s, pids, launcher } = await start();
    process.kill(launcher, "SIGKILL");
    await waitFor("npm to exit", async () => (s.proc.exitCode !== null || s.proc.signalCode !== null ? true : undefined), 15_000);
    expect(await waitAllGone(pids, ports(s))).toEqual({ pids: [], ports: [] });
  });
});
