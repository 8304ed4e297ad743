import type { DtoFamily } from "../textparse/dto.js";
import type { GroupingLabels } from "./grouping_key.js";
import { MetricStore, type MetricGroup, type PushResult } from "./metric_store.js";
import { OWN_FAMILIES, OwnMetrics } from "./own_metrics.js";

/** Where groups live between restarts; each call must be durable when it returns. */
export interface GroupPersistence {
  save(group: MetricGroup): void;
  remove(key: string): void;
}

/**
 * The Pushgateway's operations over its store, each persisted before it returns so an
 * acknowledged push survives any restart.
 */
export class Gateway {
  readonly store = new MetricStore(OWN_FAMILIES);
  readonly own: OwnMetrics;
  readonly startTime = Date.now();

  constructor(
    private readonly persistence: GroupPersistence,
    readonly version: string,
    private readonly now: () => number = Date.now,
  ) {
    this.own = new OwnMetrics(version);
  }

  push(labels: GroupingLabels, families: DtoFamily[], replace: boolean): PushResult {
    const r = this.store.push(labels, families, replace, this.now());
    this.persistence.save(r.group);
    return r;
  }

  delete(labels: GroupingLabels): void {
    const g = this.store.delete(labels);
    if (g !== undefined) this.persistence.remove(g.key);
  }

  wipe(): void {
    for (const g of [...this.store.groups()]) this.delete(g.labels);
  }

  gather(): DtoFamily[] {
    return this.store.gather(this.own.families());
  }
}
