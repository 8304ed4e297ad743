/**
 * CPU profiles of a bench region's Worker (Durable Objects included) through workerd's
 * V8 inspector, written as .cpuprofile files (Chrome DevTools, speedscope) and
 * summarised as the functions with the most self time.
 *
 * The inspector speaks over a WebSocket: Node 22 has a global one, Node 20 only behind
 * `--experimental-websocket` (run `npx tsx --experimental-websocket bench/...`).
 */
import { writeFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export class Inspector {
  private id = 0;
  private readonly waiting = new Map<number, (r: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (m) => {
      const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown; error?: unknown };
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg.error !== undefined ? Promise.reject(new Error(JSON.stringify(msg.error))) : msg.result);
    });
  }

  static async open(port: number): Promise<Inspector> {
    if (typeof globalThis.WebSocket !== "function") {
      throw new Error("profiling needs Node's WebSocket: run with `npx tsx --experimental-websocket bench/...` (Node 20.10+) or on Node 22+");
    }
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { title: string; webSocketDebuggerUrl: string }[];
    // The user Worker's isolate runs the region's fetch handler and its Durable Objects.
    const t = targets.find((x) => !x.title.includes("loopback") && !x.title.includes("miniflare")) ?? targets[0]!;
    const ws = new WebSocket(t.webSocketDebuggerUrl);
    await new Promise((r, j) => {
      ws.addEventListener("open", r, { once: true });
      ws.addEventListener("error", j, { once: true });
    });
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

/** Self time per function (name and place) in ms, largest first. */
export function selfTimes(p: Profile): [string, number][] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self].sort((a, b) => b[1] - a[1]);
}

/** Starts profiling the Worker behind the inspector on `port`; the returned function
 * stops, writes the profile to `file` and returns the top `top` functions by self time. */
export async function startCpuProfile(port: number): Promise<(file: string, top?: number) => Promise<string[]>> {
  const insp = await Inspector.open(port);
  await insp.send("Profiler.enable");
  await insp.send("Profiler.setSamplingInterval", { interval: 200 });
  await insp.send("Profiler.start");
  return async (file, top = 30) => {
    const { profile } = await insp.send<{ profile: Profile }>("Profiler.stop");
    insp.close();
    await writeFile(file, JSON.stringify(profile));
    const times = selfTimes(profile);
    const total = times.reduce((a, [, t]) => a + t, 0);
    return times.slice(0, top).map(([name, ms]) => `${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
  };
}
