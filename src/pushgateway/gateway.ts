import type { DtoFamily } from "../textparse/dto.js";
import { groupingKeyFor, type GroupingLabels } from "./grouping_key.js";
import { MetricStore, type MetricGroup, type PushResult } from "./metric_store.js";
import { OWN_FAMILIES, OwnMetrics } from "./own_metrics.js";

/** Where groups live between restarts; each call must be durable when it returns,
 * and must change nothing when it throws. */
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
  /** Tells this instance's revisions from those of any earlier or later instance. */
  private readonly instance = crypto.randomUUID();
  private changes = 0;

  constructor(
    private readonly persistence: GroupPersistence,
    readonly version: string,
    private readonly now: () => number = Date.now,
  ) {
    this.own = new OwnMetrics(version);
  }

  push(labels: GroupingLabels, families: DtoFamily[], replace: boolean): PushResult {
    const p = this.store.plan(labels, families, replace, this.now());
    // Persist first: a write that throws leaves the served group as it was.
    this.persistence.save(p.group);
    this.store.commit(p);
    this.changes++;
    return p;
  }

  delete(labels: GroupingLabels): void {
    const key = groupingKeyFor(labels);
    if (!this.store.has(key)) return;
    this.persistence.remove(key);
    this.store.delete(labels);
    this.changes++;
  }

  wipe(): void {
    for (const g of [...this.store.groups()]) this.delete(g.labels);
  }

  /** Changes whenever what gather() returns does: a scrape that saw this revision
   * may be told nothing changed (an entity tag) instead of reading it all again. */
  get revision(): string {
    return `${this.instance}.${this.changes}.${this.own.changes}`;
  }

  gather(): DtoFamily[] {
    return this.store.gather(this.own.families());
  }
}
