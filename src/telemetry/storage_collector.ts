import type { Storage } from "../storage/storage.js";
import type { Usage } from "../tsdb/usage_meter.js";
import { CallbackCollector, type Family } from "./registry.js";

/** Storage figures as Prometheus names its own prometheus_tsdb_* metrics, read from
 * every shard when /metrics is scraped, and what the tier's Durable Objects did that
 * Cloudflare bills: the shards' usage plus that of `otherObjects` (by class name). */
export function storageCollector(storage: () => Storage, tier: string, otherObjects: () => Promise<Record<string, Usage>> = async () => ({})): CallbackCollector {
  return new CallbackCollector(async () => {
    const [s, others] = await Promise.all([storage().stats(), otherObjects()]);
    const usage: [string, Usage][] = [["SeriesStore", s.usage], ...Object.entries(others)];
    const u = (name: string, help: string, value: (x: Usage) => number): Family => ({
      name,
      help,
      type: "counter",
      samples: usage.map(([cls, x]) => ({ suffix: "", labels: [{ name: "class", value: cls }, { name: "tier", value: tier }], value: value(x) })),
    });
    const g = (name: string, help: string, value: number, type: Family["type"] = "gauge"): Family => ({
      name,
      help,
      type,
      samples: [{ suffix: "", labels: [{ name: "tier", value: tier }], value }],
    });
    return [
      g("edgeprom_tsdb_head_series", "Series held by the tier's SeriesStore shards.", s.series),
      g("edgeprom_tsdb_chunks", "Sealed chunks stored.", s.chunks),
      g("edgeprom_tsdb_chunk_bytes", "Bytes of sealed chunk data stored.", s.chunkBytes),
      g("edgeprom_tsdb_chunk_samples", "Samples in sealed chunks.", s.chunkSamples),
      g("edgeprom_tsdb_head_samples", "Samples in open head chunks.", s.headSamples),
      g("edgeprom_tsdb_wal_bytes", "Bytes of write-ahead log since the last checkpoint.", s.walBytes),
      g("edgeprom_tsdb_storage_bytes", "SQLite database size of all shards.", s.databaseBytes),
      g("edgeprom_tsdb_samples_appended_total", "Samples appended since the shards started.", s.samplesAppended, "counter"),
      g("edgeprom_tsdb_out_of_order_samples_accepted_total", "Out-of-order samples accepted within the window.", s.outOfOrderAccepted, "counter"),
      g("edgeprom_tsdb_out_of_order_samples_rejected_total", "Out-of-order samples rejected, older than the window.", s.outOfOrderRejected, "counter"),
      g("edgeprom_tsdb_duplicate_samples_rejected_total", "Samples rejected for a different value at an existing timestamp.", s.duplicateRejected, "counter"),
      g("edgeprom_tsdb_too_old_samples_rejected_total", "Samples rejected for being older than the retention.", s.tooOldRejected, "counter"),
      g("edgeprom_tsdb_retention_deleted_chunks_total", "Chunks deleted by time retention.", s.retentionDeletedChunks, "counter"),
      g("edgeprom_tsdb_retention_deleted_series_total", "Series deleted by time or size retention.", s.retentionDeletedSeries, "counter"),
      g("edgeprom_tsdb_retention_limit_bytes", "Size limit of the stored chunks and WAL (0: none), summed over shards.", s.retentionLimitBytes),
      g("edgeprom_tsdb_size_retentions_total", "Times a shard was over its size limit and deleted its oldest chunks.", s.sizeRetentions, "counter"),
      g("edgeprom_tsdb_size_retention_deleted_chunks_total", "Oldest chunks deleted to stay under the size limit.", s.sizeRetentionDeletedChunks, "counter"),
      g("edgeprom_tsdb_size_retention_deleted_bytes_total", "Bytes of oldest chunks deleted to stay under the size limit.", s.sizeRetentionDeletedBytes, "counter"),
      u("edgeprom_durable_object_requests_total", "Requests into the tier's Durable Objects (RPC calls and alarms), counted by each object.", (x) => x.requests),
      u("edgeprom_durable_object_rows_read_total", "SQLite rows read by the tier's Durable Objects, as their SQL cursors report them.", (x) => x.rowsRead),
      u("edgeprom_durable_object_rows_written_total", "SQLite rows written by the tier's Durable Objects, as their SQL cursors report them.", (x) => x.rowsWritten),
      u("edgeprom_durable_object_active_seconds_total", "Wall time the tier's Durable Objects spent with at least one request in flight.", (x) => x.activeMs / 1000),
    ];
  });
}
