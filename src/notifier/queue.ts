/** Prometheus' notification queue: bounded, and when full the oldest entries make
 * room for the newest (a fresh state of an alert matters more than a stale one). */
export class AlertQueue<T> {
  private items: T[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
  }

  get length(): number {
    return this.items.length;
  }

  /** Appends `batch`; returns how many entries were dropped to stay within capacity
   * (the head of a batch larger than the whole queue, then the oldest queued). */
  push(batch: readonly T[]): number {
    let dropped = 0;
    let add = batch;
    if (add.length > this.capacity) {
      dropped += add.length - this.capacity;
      add = add.slice(add.length - this.capacity);
    }
    const over = this.items.length + add.length - this.capacity;
    if (over > 0) {
      this.items = this.items.slice(over);
      dropped += over;
    }
    for (const x of add) this.items.push(x);
    return dropped;
  }

  /** Takes up to `max` entries from the front. */
  shift(max: number): T[] {
    if (this.items.length <= max) {
      const all = this.items;
      this.items = [];
      return all;
    }
    const head = this.items.slice(0, max);
    this.items = this.items.slice(max);
    return head;
  }
}
