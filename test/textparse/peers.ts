// Starting and talking to the real Prometheus programs the tests check against.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

/** Fails (never skips) when a peer binary is missing: CI installs the packages, and a
 * silently skipped peer test would hide that it stopped running. */
export function requireBinary(path: string, debianPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} not found: install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage})`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Peer {
  readonly process: ChildProcess;
  /** What the program printed on stderr so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export function startPeer(bin: string, args: string[]): Peer {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (d: Buffer) => {
    log = (log + d.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    process: child,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Polls `url` until it answers 2xx; fails with the peer's log if it exits first or
 * does not come up in time. */
export async function waitForHttp(peer: Peer, url: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (peer.process.exitCode !== null) throw new Error(`peer exited with ${peer.process.exitCode}:\n${peer.log()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} after ${timeoutMs} ms:\n${peer.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const PROMTOOL = "/usr/bin/promtool";

/** `promtool check metrics` with `text` on stdin: exit code 0 clean, 3 lint
 * findings only, 1 the text could not be parsed. */
export function promtoolCheckMetrics(text: string): { code: number | null; output: string } {
  const r = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 30000 });
  return { code: r.status, output: (r.stdout ?? "") + (r.stderr ?? "") };
}
