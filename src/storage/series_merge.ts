import { compareLabels, labelsEqual } from "../model/labels.js";
import type { Series } from "./storage.js";

/** K-way merge of label-sorted series streams into one label-sorted stream. Shards
 * hold disjoint series; several selectors over one store may not, so a series that
 * arrives from more than one stream is passed on once. */
export async function* mergeSeriesStreams(streams: AsyncIterator<Series>[]): AsyncGenerator<Series> {
  if (streams.length === 1) {
    for (let r = await streams[0]!.next(); !r.done; r = await streams[0]!.next()) yield r.value;
    return;
  }
  const heads = await Promise.all(streams.map((s) => s.next()));
  let last: Series | null = null;
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (h.done) continue;
      if (best < 0 || compareLabels(h.value.labels, (heads[best]!.value as Series).labels) < 0) best = i;
    }
    if (best < 0) return;
    const s = heads[best]!.value as Series;
    heads[best] = await streams[best]!.next();
    if (last !== null && labelsEqual(last.labels, s.labels)) continue;
    last = s;
    yield s;
  }
}
