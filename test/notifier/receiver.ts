// A real HTTP server on 127.0.0.1 standing in for Alertmanagers (and an http_sd
// endpoint): it records every request and answers as each test scripts it.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  body?: string;
  contentType?: string;
  /** Answer only after this many ms. */
  delayMs?: number;
}

export interface Receiver {
  /** host:port, as an Alertmanager target. */
  address: string;
  received: Received[];
  /** Posts of alerts, parsed. */
  posts(): { path: string; alerts: any[] }[];
  reply: (req: Received) => Reply;
  close(): Promise<void>;
}

export async function startReceiver(reply: (req: Received) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const r: Receiver = {
    address: "",
    received,
    posts: () => received.filter((x) => x.method === "POST").map((x) => ({ path: x.path, alerts: JSON.parse(x.body) })),
    reply,
    close: () => {
      for (const t of timers) clearTimeout(t);
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rec = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(rec);
      const a = r.reply(rec);
      const answer = () => {
        res.writeHead(a.status ?? 200, { "content-type": a.contentType ?? "application/json" });
        res.end(a.body ?? "");
      };
      if (a.delayMs === undefined) answer();
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, a.delayMs);
        timers.add(t);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  r.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}

/** The part of a Workers KV namespace the notifier reads: file_sd files and
 * credential files, held in memory. */
export function memoryKV(entries: Record<string, string>): KVNamespace {
  const data = new Map(Object.entries(entries));
  const kv = {
    get: async (key: string) => data.get(key) ?? null,
    list: async (opts: { prefix?: string } = {}) => ({
      keys: [...data.keys()].filter((k) => k.startsWith(opts.prefix ?? "")).map((name) => ({ name })),
      list_complete: true,
      cacheStatus: null,
    }),
  };
  return kv as unknown as KVNamespace;
}
