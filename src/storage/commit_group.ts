/** A member's commit waiting in a CommitGroup, and where its answer goes. */
interface Queued<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/** One caller of a CommitGroup: it submits its commit or leaves without one. */
export interface CommitMember<T, R> {
  submit(item: T): Promise<R>;
  /** The member is done; a member that never submits must leave, or the group waits
   * for it until its deadline. Leaving after submitting changes nothing. */
  leave(): void;
}

/**
 * Gathers the commits of callers working at the same time (the targets one scheduler
 * alarm scrapes) and sends them together once every member has submitted or left:
 * one request per shard instead of one per caller. `send` answers each item on its
 * own, an Error for an item that failed, so one member's failure is only its own.
 * A member still busy `waitMs` after the group started holds nobody back: what was
 * submitted by then is sent, and later commits go on their own.
 */
export class CommitGroup<T, R> {
  private open = 0;
  private queued: Queued<T, R>[] = [];
  private sent = false;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly send: (items: T[]) => Promise<(R | Error)[]>,
    waitMs: number,
  ) {
    this.timer = setTimeout(() => this.flush(), waitMs);
  }

  join(): CommitMember<T, R> {
    let counted = !this.sent;
    if (counted) this.open++;
    const settle = () => {
      if (!counted) return;
      counted = false;
      if (--this.open === 0) this.flush();
    };
    return {
      submit: (item) => {
        if (this.sent) return this.alone(item);
        const p = new Promise<R>((resolve, reject) => this.queued.push({ item, resolve, reject }));
        settle();
        return p;
      },
      leave: settle,
    };
  }

  private async alone(item: T): Promise<R> {
    const [r] = await this.send([item]);
    if (r instanceof Error) throw r;
    return r!;
  }

  private flush(): void {
    if (this.sent) return;
    this.sent = true;
    clearTimeout(this.timer);
    const queued = this.queued;
    this.queued = [];
    if (queued.length === 0) return;
    this.send(queued.map((q) => q.item)).then(
      (rs) => queued.forEach((q, i) => (rs[i] instanceof Error ? q.reject(rs[i]) : q.resolve(rs[i] as R))),
      (e) => queued.forEach((q) => q.reject(e)),
    );
  }
}
