import type { SqlExec } from "./usage_meter.js";
import { labelsFromKey } from "../model/labels.js";
import type { BlockChunk } from "./block.js";
import type { BlockStore } from "./block_store.js";
import type { SeriesCatalog } from "./series_catalog.js";

/** Legacy chunks converted per pass, bounding memory for a large old store. */
const CHUNKS_PER_PASS = 20_000;

/**
 * Converts rows of schema 0000 (one row per series, per posting and per sealed
 * chunk) into series segments and block rows, then deletes them. Runs inside the
 * start-up transaction, once: afterwards the legacy tables are empty. Legacy head rows
 * are left to recovery, which reads them and replaces them with a snapshot.
 */
export function convertLegacyRows(sql: SqlExec, catalog: SeriesCatalog, blocks: BlockStore): boolean {
  let converted = false;
  const series = [...sql.exec<{ id: number; labels: string }>("SELECT id, labels FROM series ORDER BY id")];
  if (series.length > 0) {
    catalog.add(series.map((r) => ({ id: r.id, labels: labelsFromKey(r.labels) })));
    sql.exec("DELETE FROM series");
    sql.exec("DELETE FROM postings");
    converted = true;
  }
  for (;;) {
    const rows = [
      ...sql.exec<{ id: number; series_id: number; min_time: number; max_time: number; num_samples: number; ooo: number; data: ArrayBuffer }>(
        "SELECT id, series_id, min_time, max_time, num_samples, ooo, data FROM chunks ORDER BY id LIMIT ?",
        CHUNKS_PER_PASS,
      ),
    ];
    if (rows.length === 0) break;
    const chunks: BlockChunk[] = rows.map((r) => ({
      seriesId: r.series_id,
      minT: r.min_time,
      maxT: r.max_time,
      count: r.num_samples,
      ooo: r.ooo === 1,
      data: new Uint8Array(r.data),
    }));
    blocks.write(chunks);
    sql.exec("DELETE FROM chunks WHERE id <= ?", rows.at(-1)!.id);
    converted = true;
  }
  return converted;
}
