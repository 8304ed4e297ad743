import type { Federation } from "../federation.js";
import { activeBuilds } from "./bundles.js";
import { alive, childPids, killWhenOrphaned, parentOf } from "./processes.js";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** How long a clean stop may take before workerd is killed outright. */
const STOP_TIMEOUT_MS = 5000;

/** Keeps `npm start`'s processes together. npm forwards SIGINT and SIGTERM to its
 * `sh -c` child only, which dies without passing them on, and nobody forwards SIGHUP,
 * so the launcher also watches its parent and grandparent (npm) and stops when either
 * goes. workerd gets a watchdog that kills it if the launcher dies without stopping
 * it (SIGKILL), and a workerd that dies on its own ends the launcher with an error. */
export class Supervisor {
  stopping = false;
  private runtimeDied = false;
  private fed: Federation | undefined;
  private runtimePid: number | undefined;
  private guard: { release(): void } | undefined;
  private readonly tiers: string;

  constructor(
    private readonly say: (line: string) => void,
    ports: Record<"global" | "local-a" | "local-b", number>,
  ) {
    this.tiers = `global :${ports.global}, local-a :${ports["local-a"]} and local-b :${ports["local-b"]}`;
    for (const sig of STOP_SIGNALS) process.on(sig, () => (this.stopping ? this.forceExit(sig) : void this.stop(sig, 0)));
    const parent = process.ppid;
    const grandparent = parentOf(parent);
    setInterval(() => {
      const orphaned = process.ppid !== parent || (grandparent !== undefined && grandparent > 1 && !alive(grandparent));
      if (orphaned) void this.stop("the process that started it exited", 0);
    }, 500).unref();
    // Guard workerd from the moment it exists, not only once every tier is set up.
    const look = setInterval(() => {
      this.runtimePid ??= childPids(process.pid, "workerd")[0];
      if (this.runtimePid === undefined) return;
      this.guard = killWhenOrphaned(this.runtimePid);
      clearInterval(look);
    }, 200);
    look.unref();
  }

  /** The federation is up: from now on workerd is watched. */
  running(fed: Federation): void {
    this.fed = fed;
  }

  /** Starting failed: because workerd died (said by runtimeExited), or otherwise. */
  async failedToStart(e: Error): Promise<never> {
    await new Promise((r) => setTimeout(r, 400));
    if (!this.runtimeDied) process.stderr.write(`edgeprom: could not start: ${e.message}\n`);
    this.killStragglers();
    return this.finish(this.stopping && !this.runtimeDied ? 0 : 1);
  }

  /** workerd's output ended without a stop: it died, and every tier with it. */
  runtimeExited(): void {
    this.runtimeDied = true;
    // Ctrl-C reaches workerd and the launcher together; let the signal win the race.
    setTimeout(() => {
      if (this.stopping) return;
      this.stopping = true;
      const pid = this.runtimePid === undefined ? "" : ` (pid ${this.runtimePid})`;
      process.stderr.write(`edgeprom: workerd${pid} exited unexpectedly: tiers ${this.tiers} are down; stopping\n`);
      void this.shutdown().then(() => this.finish(1));
    }, 300);
  }

  async stop(reason: string, code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.say(`stopping (${reason})`);
    // Still starting: the federation is not ours to dispose yet, so end its processes.
    if (this.fed === undefined) {
      this.killStragglers();
      return this.finish(code);
    }
    await this.shutdown();
    this.finish(code);
  }

  finish(code: number): never {
    this.guard?.release();
    process.exit(code);
  }

  private async shutdown(): Promise<void> {
    if (this.fed !== undefined) {
      const timeout = new Promise<void>((r) => setTimeout(r, STOP_TIMEOUT_MS).unref());
      await Promise.race([this.fed.stop().catch(() => {}), timeout]);
    }
    this.killStragglers();
  }

  private killStragglers(): void {
    for (const pgid of activeBuilds) {
      try {
        process.kill(-pgid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
    for (const pid of childPids(process.pid, "workerd")) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }

  private forceExit(sig: string): void {
    this.say(`${sig} again: killing workerd`);
    this.killStragglers();
    this.finish(1);
  }
}
