/**
 * Where a bench query's time goes inside workerd: loads the query bench's data into a
 * region, runs one of its queries (or all) many times under V8's sampling profiler
 * (workerd's inspector) and prints the functions with the most self time. Writes the
 * profile to bench/out/<name>.cpuprofile for Chrome's DevTools.
 * Run with `npx tsx --experimental-websocket bench/query_profile.ts [--quick] [--runs N]
 * [name substring | --expr EXPR ...]` (the flag is for Node 20; Node 22 has WebSocket).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeRemoteWriteBody } from "../src/remote/write_request.js";
import { postRemoteWrite } from "./process_stats.js";
import { batches, benchQueries, STEP } from "./query.js";
import { startBenchRegion } from "./region.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

class Inspector {
  private id = 0;
  private readonly waiting = new Map<number, (r: unknown) => void>();
  constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (m) => {
      const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown; error?: unknown };
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg.error !== undefined ? Promise.reject(new Error(JSON.stringify(msg.error))) : msg.result);
    });
  }
  static async open(port: number): Promise<Inspector> {
    // The global one: Node 22 has it, Node 20 only behind --experimental-websocket.
    if (typeof globalThis.WebSocket !== "function") {
      throw new Error("bench/query_profile.ts needs Node's WebSocket: run it with `npx tsx --experimental-websocket bench/query_profile.ts ...` (Node 20.10+) or on Node 22+");
    }
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { id: string; title: string; webSocketDebuggerUrl: string }[];
    // The user Worker's isolate runs the region's fetch handler and its Durable Objects.
    const t = targets.find((x) => !x.title.includes("loopback") && !x.title.includes("miniflare")) ?? targets[0]!;
    const ws = new WebSocket(t.webSocketDebuggerUrl);
    await new Promise((r, j) => (ws.addEventListener("open", r), ws.addEventListener("error", j)));
    return new Inspector(ws);
  }
  send<T>(method: string, params: object = {}): Promise<T> {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((r) => this.waiting.set(id, r as (x: unknown) => void));
  }
  close(): void {
    this.ws.close();
  }
}

/** Self time per function (name and place), largest first. */
function selfTimes(p: Profile): [string, number][] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const ri = args.indexOf("--runs");
  const runs = ri >= 0 ? Number(args[ri + 1]) : 50;
  const filter = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--runs" && args[i - 1] !== "--expr") ?? "";
  const dir = await mkdtemp(join(tmpdir(), "edgeprom-bench-qprof-"));
  const port = await freePort();
  const region = await startBenchRegion(dir, 2, undefined, {}, port);
  try {
    const end = Math.floor(Date.now() / STEP) * STEP - STEP;
    const samplesPerSeries = 240;
    for (const b of batches({ series: quick ? 1000 : 10_000, samplesPerSeries }, end - (samplesPerSeries - 1) * STEP)) {
      await postRemoteWrite(`${region.url}/api/v1/write`, encodeRemoteWriteBody(b));
    }
    const insp = await Inspector.open(port);
    await insp.send("Profiler.enable");
    await insp.send("Profiler.setSamplingInterval", { interval: 100 });
    await mkdir(join(import.meta.dirname, "out"), { recursive: true });
    // --expr EXPR (repeatable) profiles instant queries of one's own instead.
    const exprs = args.flatMap((a, i) => (args[i - 1] === "--expr" ? [a] : []));
    const list: [string, string][] = exprs.length > 0 ? exprs.map((x) => [x, `query?query=${encodeURIComponent(x)}&time=${end / 1000}`]) : benchQueries(end);
    for (const [name, path] of list) {
      if (!name.includes(filter)) continue;
      const url = `${region.url}/api/v1/${path}`;
      for (let i = 0; i < 3; i++) await (await fetch(url)).arrayBuffer();
      await insp.send("Profiler.start");
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await (await fetch(url)).arrayBuffer();
      const ms = (performance.now() - t0) / runs;
      const { profile } = await insp.send<{ profile: Profile }>("Profiler.stop");
      const file = join(import.meta.dirname, "out", `${name.replace(/[^a-z0-9]+/gi, "_")}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      const top = selfTimes(profile);
      const total = top.reduce((a, [, t]) => a + t, 0);
      console.log(`\n== ${name}: ${ms.toFixed(2)} ms per query (wall, ${runs} runs); profiled ${(total / runs).toFixed(2)} ms per query; ${file}`);
      for (const [k, t] of top.slice(0, 25)) console.log(`${(t / runs).toFixed(3).padStart(8)} ms  ${k}`);
    }
    insp.close();
  } finally {
    await region.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
