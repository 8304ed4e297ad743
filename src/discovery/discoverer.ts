import type { TargetGroup } from "./target_group.js";

/** A service discovery provider. Every refresh returns the complete current list of
 * groups (not deltas). A provider that can fail keeps its last good result:
 *  - when nothing could be refreshed it throws, and the caller keeps the previous list;
 *  - when only part failed (one file, one DNS name) it throws a PartialRefreshError
 *    carrying the full list, with the failed parts at their last good state. */
export interface Discoverer {
  /** Prometheus' refresh_interval, in ms; Infinity for providers that never change. */
  readonly refreshIntervalMs: number;
  refresh(): Promise<TargetGroup[]>;
  /** Hands back groups remembered from an earlier life (a Durable Object restart), so
   * that a failure on the first refresh keeps them, as Prometheus keeps groups it
   * already had. */
  seed?(groups: readonly TargetGroup[]): void;
}

export class PartialRefreshError extends Error {
  constructor(
    message: string,
    readonly groups: TargetGroup[],
  ) {
    super(message);
  }
}

/** The only I/O discovery does, injected so that it runs the same in Workers and tests. */
export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;
/** Reads a KV key; null when it does not exist. */
export type ReadFn = (key: string) => Promise<string | null>;
/** Lists the KV keys starting with a prefix (all of them, paging done by the caller). */
export type ListFn = (prefix: string) => Promise<string[]>;

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
