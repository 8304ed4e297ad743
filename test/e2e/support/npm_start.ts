import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { freePort, waitFor, waitForHttp } from "./processes.js";

const ROOT = resolve(import.meta.dirname, "../../..");

export type Ports = Record<"global" | "local-a" | "local-b", number>;

export interface NpmStart {
  proc: ChildProcess;
  ports: Ports;
  urls: Record<keyof Ports, string>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` exactly as a user types it, on free ports with its own data dir, in a
 * process group of its own so that a failing test can still clean up everything. */
export async function npmStart(dataDir: string, opts: { env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<NpmStart> {
  const ports: Ports = { global: await freePort(), "local-a": await freePort(), "local-b": await freePort() };
  const args = ["start", "--", "--quiet", "--data", dataDir, "--global-port", String(ports.global), "--region-a-port", String(ports["local-a"]), "--region-b-port", String(ports["local-b"]), ...(opts.args ?? [])];
  const proc = spawn("npm", args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
  let out = "";
  proc.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on("exit", (code, signal) => r({ code, signal })));
  const urls = { global: `http://127.0.0.1:${ports.global}`, "local-a": `http://127.0.0.1:${ports["local-a"]}`, "local-b": `http://127.0.0.1:${ports["local-b"]}` };
  const up = Promise.all(Object.values(urls).map((u) => waitForHttp(`${u}/-/ready`, 150_000)));
  const died = exited.then(({ code }) => {
    throw new Error(`npm start exited (${code}) before it was ready:\n${out}`);
  });
  // Every tier answers before the launcher has seeded and armed them; "ready" comes last.
  const ready = up.then(() => waitFor("npm start to say it is ready", async () => (/edgeprom: ready in/.test(out) ? true : undefined), 60_000));
  await Promise.race([ready, died]);
  return { proc, ports, urls, output: () => out, exited };
}

/** Every process below `pid` with its command name. */
export function descendants(pid: number): { pid: number; comm: string }[] {
  const rows = execFileSync("ps", ["-A", "-o", "pid=,ppid=,comm="], { encoding: "utf8" })
    .split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), comm: m[3]! }));
  const found: { pid: number; comm: string }[] = [];
  const walk = (p: number) => {
    for (const r of rows) {
      if (r.ppid !== p) continue;
      found.push({ pid: r.pid, comm: r.comm });
      walk(r.pid);
    }
  };
  walk(pid);
  return found;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something still accepts connections on the port. */
export async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive and no port answers; returns what is left. */
export async function waitAllGone(pids: number[], ports: number[]): Promise<{ pids: number[]; ports: number[] }> {
  const left = async () => ({ pids: pids.filter(alive), ports: (await Promise.all(ports.map(async (p) => ((await listening(p)) ? p : 0)))).filter((p) => p !== 0) });
  try {
    return await waitFor("every process and port of npm start to go", async () => {
      const l = await left();
      return l.pids.length === 0 && l.ports.length === 0 ? l : undefined;
    }, 15_000);
  } catch {
    return left();
  }
}

/** Ends whatever a failed test left behind. */
export function killGroup(proc: ChildProcess, pids: number[]): void {
  for (const p of [-proc.pid!, ...pids]) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      /* gone */
    }
  }
}
