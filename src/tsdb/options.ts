/** Storage settings, the equivalents of Prometheus' --storage.tsdb.* flags. */
export interface StoreOptions {
  /** Samples older than now - retention are deleted by the retention alarm. */
  retentionMs: number;
  /** Out-of-order samples within this distance of the series' newest sample are
   * accepted; older ones are rejected and reported with their skew. */
  oooWindowMs: number;
  /** When above 0, the oldest chunks are deleted while the stored chunk and WAL bytes
   * exceed this (the shard's share of --storage.tsdb.retention.size). */
  retentionBytes: number;
  /** How often the retention/checkpoint alarm runs. */
  alarmIntervalMs: number;
  /** A checkpoint is taken when this many WAL bytes accumulate. */
  checkpointWalBytes: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  retentionMs: 15 * 24 * 3600_000,
  oooWindowMs: 10 * 60_000,
  retentionBytes: 0,
  alarmIntervalMs: 60_000,
  checkpointWalBytes: 2 << 20,
};

/** Prometheus cuts chunks at 120 samples or at the 2h head block boundary. */
export const SAMPLES_PER_CHUNK = 120;
export const CHUNK_RANGE_MS = 2 * 3600_000;
/** Prometheus' default out_of_order_capacity. */
export const OOO_CAPACITY = 32;
