// Injected I/O for discovery tests: an in-memory KV and a scripted fetch.
import type { FetchFn } from "../../src/discovery/discoverer.js";

export class FakeKV {
  readonly data = new Map<string, string>();
  readonly failRead = new Set<string>();
  failList = false;
  reads: string[] = [];
  lists: string[] = [];

  read = async (key: string): Promise<string | null> => {
    this.reads.push(key);
    if (this.failRead.has(key)) throw new Error(`KV read ${key} failed`);
    return this.data.get(key) ?? null;
  };

  list = async (prefix: string): Promise<string[]> => {
    this.lists.push(prefix);
    if (this.failList) throw new Error("KV list failed");
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  };
}

export interface Call {
  url: string;
  headers: Record<string, string>;
}

/** A fetch that answers from a handler and records every request. */
export function fakeFetch(handler: (url: URL) => Response | Promise<Response>): { fetch: FetchFn; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchFn = async (url, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    calls.push({ url, headers });
    return handler(new URL(url));
  };
  return { fetch, calls };
}

export function json(body: unknown, status = 200, contentType = "application/json"): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": contentType } });
}
