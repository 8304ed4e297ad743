import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { freePort, waitForHttp } from "./processes.js";

const ROOT = resolve(import.meta.dirname, "../../..");

export interface LocalFederation {
  urls: Record<"global" | "local-a" | "local-b", string>;
  proc: ChildProcess;
  /** SIGKILL to the whole process group: node and its workerd, no chance to flush. */
  kill(): Promise<void>;
}

/** `npm start`'s script as a separate process group, so a test can crash it. */
export async function spawnLocalFederation(dataDir: string, ports?: Record<"global" | "local-a" | "local-b", number>): Promise<LocalFederation> {
  const p = ports ?? { global: await freePort(), "local-a": await freePort(), "local-b": await freePort() };
  const proc = spawn(
    process.execPath,
    [
      resolve(ROOT, "node_modules/tsx/dist/cli.mjs"),
      "scripts/start.ts",
      "--quiet",
      "--data", dataDir,
      "--global-port", String(p.global),
      "--region-a-port", String(p["local-a"]),
      "--region-b-port", String(p["local-b"]),
    ],
    { cwd: ROOT, detached: true, stdio: "ignore" },
  );
  const urls = {
    global: `http://127.0.0.1:${p.global}`,
    "local-a": `http://127.0.0.1:${p["local-a"]}`,
    "local-b": `http://127.0.0.1:${p["local-b"]}`,
  };
  for (const u of Object.values(urls)) await waitForHttp(`${u}/-/ready`, 60_000);
  return {
    urls,
    proc,
    kill: () =>
      new Promise<void>((done) => {
        if (proc.exitCode !== null) return done();
        proc.once("exit", () => done());
        process.kill(-proc.pid!, "SIGKILL");
      }),
  };
}
