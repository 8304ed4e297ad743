import type { Storage } from "../storage/storage.js";
import { CallbackCollector, type Family } from "./registry.js";

/** Storage figures as Prometheus names its own prometheus_tsdb_* metrics, read from
 * every shard when /metrics is scraped. */
export function storageCollector(storage: () => Storage, tier: string): CallbackCollector {
  return new CallbackCollector(async () => {
    const s = await storage().stats();
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
    ];
  });
}
