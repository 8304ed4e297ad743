/**
 * A Durable Object's work, one piece at a time. The runtime lets an object's calls
 * interleave whenever one of them awaits I/O other than the object's own storage (a
 * fetch, another object, KV), so work that reads and replaces the object's state
 * across such awaits (an alarm, a reload, a status read that may load) goes through
 * here. A piece must not wait for another piece of the same Serial: it would wait
 * for itself.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
