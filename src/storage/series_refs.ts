/** A series as a shard knows it: its shard and its reference there, valid while the
 * shard's epoch is `epoch`. */
export interface SeriesRef {
  readonly shard: number;
  readonly ref: number;
  readonly epoch: number;
  lastUsed: number;
  /** The batch of the running commit that holds this series, and its slot there
   * (see ShardBatch): a known series is found without a lookup by key. */
  batch?: object | undefined;
  slot?: number | undefined;
}

/** Commits a reference may go unused before it is forgotten. */
const KEEP_COMMITS = 3;

/**
 * Storage references one appending caller (a scrape target) keeps between commits, as
 * Prometheus' scrape cache keeps head series refs: a series the shard has seen once
 * is appended by its number, not its labels. Memory only, never persisted: a shard
 * that restarted or dropped series answers with a new epoch, its references here stop
 * counting and the next commit sends labels again and learns new ones.
 */
export class SeriesRefs {
  private readonly byKey = new Map<string, SeriesRef>();
  /** Per shard, the epoch the references were learned in (undefined: none yet). */
  private epochs: (number | undefined)[] = [];
  private shardCount = 0;
  private commits = 0;
  /** The keys get() was asked in the last commit, in order, with what it found, and
   * this commit's so far: a steady caller asks the same keys in the same order every
   * commit, so the next one of last time is compared (the same string, mostly) before
   * the map is searched. While this commit repeats the last one (`keys` undefined),
   * its list is the first `cursor` of the last one and nothing is recorded. */
  private lastKeys: string[] = [];
  private lastFound: SeriesRef[] = [];
  private keys: string[] | undefined;
  private found: SeriesRef[] = [];
  private cursor = 0;

  /** The live reference of series `key`, undefined when it must go by labels. */
  get(key: string, shards: number): SeriesRef | undefined {
    if (shards !== this.shardCount) this.reset(shards);
    let r: SeriesRef | undefined;
    let repeated = false;
    const at = this.cursor;
    if (this.lastKeys[at] === key) {
      r = this.lastFound[at]!;
      this.cursor = at + 1;
      // Learnt anew since (the shard's epoch changed): the map has the current one.
      if (r.epoch !== this.epochs[r.shard]) r = this.byKey.get(key);
      else repeated = true;
    } else {
      r = this.byKey.get(key);
      // A series gone since last time: the order goes on after it.
      if (this.lastKeys[at + 1] === key) this.cursor = at + 2;
    }
    if (r === undefined || r.epoch !== this.epochs[r.shard]) {
      this.diverge(at);
      return undefined;
    }
    r.lastUsed = this.commits;
    if (repeated && this.keys === undefined) return r;
    const keys = this.diverge(at);
    // Bounded, for a caller whose commits keep failing (endCommit never comes).
    if (keys.length <= this.byKey.size) {
      keys.push(key);
      this.found.push(r);
    }
    return r;
  }

  /** This commit's list made explicit: the last commit's first `at`, if it was that. */
  private diverge(at: number): string[] {
    if (this.keys !== undefined) return this.keys;
    this.found = this.lastFound.slice(0, at);
    return (this.keys = this.lastKeys.slice(0, at));
  }

  /** The epoch of `shard` whose references get() hands out. */
  epochOf(shard: number): number | undefined {
    return this.epochs[shard];
  }

  /** What a shard answered: its epoch, and the references of series sent by labels. */
  learn(shard: number, epoch: number, keys: readonly string[], refs: ArrayLike<number>): void {
    this.epochs[shard] = epoch;
    for (let i = 0; i < keys.length; i++) this.byKey.set(keys[i]!, { shard, ref: refs[i]!, epoch, lastUsed: this.commits });
  }

  /** The shard refused the references as from another epoch. */
  forget(shard: number): void {
    this.epochs[shard] = undefined;
  }

  /** Ends a commit: series not appended for a few commits stop costing memory. */
  endCommit(): void {
    if (this.keys !== undefined) {
      this.lastKeys = this.keys;
      this.lastFound = this.found;
    } else if (this.cursor < this.lastKeys.length) {
      this.lastKeys = this.lastKeys.slice(0, this.cursor);
      this.lastFound = this.lastFound.slice(0, this.cursor);
    }
    this.keys = undefined;
    this.found = [];
    this.cursor = 0;
    if (++this.commits % KEEP_COMMITS !== 0) return;
    for (const [k, r] of this.byKey) {
      if (this.commits - r.lastUsed > KEEP_COMMITS || r.epoch !== this.epochs[r.shard]) this.byKey.delete(k);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  private reset(shards: number): void {
    this.byKey.clear();
    this.lastKeys = [];
    this.lastFound = [];
    this.keys = undefined;
    this.found = [];
    this.cursor = 0;
    this.epochs = [];
    this.shardCount = shards;
  }
}
