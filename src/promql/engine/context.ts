import { DeadlineExceededError, type LatestSamples, type Querier, type Series, type SelectHints } from "../../storage/storage.js";
import type { Matcher } from "../../model/matchers.js";
import { QueryError } from "./value.js";

/** Per-query state: the step grid, the storage, limits and accumulated annotations. */
export class EvalContext {
  readonly steps: Float64Array;
  warnings = new Set<string>();
  infos = new Set<string>();
  /** The query text, for the positions annotations carry. */
  query = "";
  /** Shared with child contexts (subqueries): one budget per query. */
  private budget = { samples: 0, peak: 0 };
  /** Samples read from storage, counted when the query collects statistics; shared
   * with child contexts. */
  queryable: { total: number } | null = null;
  /** The same per step, kept only at the top level: a subquery's inner steps are not
   * the query's. */
  queryablePerStep: Float64Array | null = null;
  private checks = 0;

  constructor(
    readonly querier: Querier,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
    readonly lookbackDelta: number,
    readonly maxSamples: number,
    readonly deadline: number,
    /** Query-level start/end for `@ start()` / `@ end()`. */
    readonly queryStart: number,
    readonly queryEnd: number,
    /** Default subquery step when none is given (the evaluation interval). */
    readonly defaultSubqueryStep: number,
  ) {
    const n = interval > 0 ? Math.floor((end - start) / interval) + 1 : 1;
    // Every value is dense over the step grid, so a grid longer than the sample budget
    // (`x[1y:1ms]`) could only be filled past it: refuse it before allocating it.
    if (n > maxSamples) throw tooManySamples();
    this.steps = new Float64Array(n);
    for (let i = 0; i < n; i++) this.steps[i] = start + i * interval;
  }

  get n(): number {
    return this.steps.length;
  }

  /** A context over another step grid sharing storage, limits and annotations. */
  child(start: number, end: number, interval: number): EvalContext {
    const c = new EvalContext(
      this.querier,
      start,
      end,
      interval,
      this.lookbackDelta,
      this.maxSamples,
      this.deadline,
      this.queryStart,
      this.queryEnd,
      this.defaultSubqueryStep,
    );
    c.warnings = this.warnings;
    c.infos = this.infos;
    c.query = this.query;
    c.budget = this.budget;
    c.queryable = this.queryable;
    return c;
  }

  /** `line:col` of an offset in the query, as annotations print it. */
  pos(offset: number): string {
    let line = 1;
    let col = 1;
    for (let i = 0; i < offset && i < this.query.length; i++) {
      if (this.query[i] === "\n") {
        line++;
        col = 1;
      } else col++;
    }
    return `${line}:${this.query.length === 0 ? offset + 1 : col}`;
  }

  /** Counts samples held by the query against query.max-samples. */
  addSamples(n: number): void {
    const b = this.budget;
    b.samples += n;
    if (b.samples > b.peak) b.peak = b.samples;
    if (b.samples > this.maxSamples) throw tooManySamples();
  }

  /** Most samples held at once so far. */
  get peakSamples(): number {
    return this.budget.peak;
  }

  /** Records samples read from storage at step i (statistics only). */
  countQueryable(i: number, n: number): void {
    if (this.queryable === null) return;
    this.queryable.total += n;
    const per = this.queryablePerStep;
    if (per !== null) per[i] = per[i]! + n;
  }

  releaseSamples(n: number): void {
    this.budget.samples -= n;
  }

  checkDeadline(): void {
    if ((++this.checks & 1023) === 0 && Date.now() > this.deadline) throw queryTimeout();
  }

  /** The storage's selectLatest with the query's deadline, as select. */
  async selectLatest(matchers: readonly Matcher[], hints: SelectHints): Promise<LatestSamples> {
    try {
      return await this.querier.selectLatest!(matchers, { ...hints, deadline: this.deadline });
    } catch (e) {
      if (e instanceof DeadlineExceededError) throw queryTimeout();
      throw e;
    }
  }

  /** The storage select with the query's deadline, which the shards enforce too. */
  async *select(matchers: readonly Matcher[], hints: SelectHints): AsyncGenerator<Series> {
    try {
      yield* this.querier.select(matchers, { ...hints, deadline: this.deadline });
    } catch (e) {
      if (e instanceof DeadlineExceededError) throw queryTimeout();
      throw e;
    }
  }
}

function queryTimeout(): QueryError {
  return new QueryError("timeout", "query timed out in expression evaluation");
}

function tooManySamples(): QueryError {
  return new QueryError("execution", "query processing would load too many samples into memory in query execution");
}
