import { parseExposition } from "../../../textparse/parser.js";

/** The tier's storage figures, read from its own /metrics (telemetry's
 * edgeprom_tsdb_* families, summed over shards and tiers). */
export interface StorageFigures {
  series: number;
  chunks: number;
  chunkBytes: number;
  chunkSamples: number;
  headSamples: number;
  walBytes: number;
  storageBytes: number;
  samplesAppended: number;
  outOfOrderAccepted: number;
  outOfOrderRejected: number;
  duplicateRejected: number;
  tooOldRejected: number;
  retentionDeletedChunks: number;
  retentionDeletedSeries: number;
  /** Sealed chunk bytes per sealed sample; null before the first chunk is sealed. */
  bytesPerSample: number | null;
}

const NAMES: Record<Exclude<keyof StorageFigures, "bytesPerSample">, string> = {
  series: "edgeprom_tsdb_head_series",
  chunks: "edgeprom_tsdb_chunks",
  chunkBytes: "edgeprom_tsdb_chunk_bytes",
  chunkSamples: "edgeprom_tsdb_chunk_samples",
  headSamples: "edgeprom_tsdb_head_samples",
  walBytes: "edgeprom_tsdb_wal_bytes",
  storageBytes: "edgeprom_tsdb_storage_bytes",
  samplesAppended: "edgeprom_tsdb_samples_appended_total",
  outOfOrderAccepted: "edgeprom_tsdb_out_of_order_samples_accepted_total",
  outOfOrderRejected: "edgeprom_tsdb_out_of_order_samples_rejected_total",
  duplicateRejected: "edgeprom_tsdb_duplicate_samples_rejected_total",
  tooOldRejected: "edgeprom_tsdb_too_old_samples_rejected_total",
  retentionDeletedChunks: "edgeprom_tsdb_retention_deleted_chunks_total",
  retentionDeletedSeries: "edgeprom_tsdb_retention_deleted_series_total",
};

/** Reads the figures from a text-format exposition; null when it has none of them
 * (an older server). */
export function storageFigures(exposition: string): StorageFigures | null {
  const sums = new Map<string, number>();
  for (const e of parseExposition(exposition, "text")) {
    if (e.kind !== "sample") continue;
    sums.set(e.name, (sums.get(e.name) ?? 0) + e.value);
  }
  if (!sums.has(NAMES.series)) return null;
  const f = {} as StorageFigures;
  for (const [k, name] of Object.entries(NAMES) as [keyof typeof NAMES, string][]) f[k] = sums.get(name) ?? 0;
  f.bytesPerSample = f.chunkSamples > 0 ? f.chunkBytes / f.chunkSamples : null;
  return f;
}
