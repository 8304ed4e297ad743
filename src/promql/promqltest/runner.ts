import { formatSeries, labelsFromKey } from "../../model/labels.js";
import type { Matcher } from "../../model/matchers.js";
import { MemoryStorage } from "../../storage/memory_storage.js";
import type { Querier, Storage } from "../../storage/storage.js";
import { QueryError, type QueryResult, type Value, type Vector } from "../engine/value.js";
import type { Expr } from "../parser/ast.js";
import { ParseError } from "../parser/errors.js";
import { checkAnnotations, checkExpectedFailure, checkMatrixSorted, compareResult, describeValue } from "./compare.js";
import { nhcbSamples } from "./nhcb.js";
import { isFail, isOrdered, parseScript, type EvalCommand, type LoadCommand, type Script } from "./script.js";

/** Runs promqltest scripts against a PromQL engine over a MemoryStorage, the way
 * Prometheus' promqltest does: every `eval` is checked for errors, annotations and
 * results; an instant `eval` is also re-run as a range query around its time and its
 * middle step compared again. Native histogram values (`{{...}}`, `load_with_nhcb`)
 * are loaded and compared like Prometheus' promqltest does. Nothing is skipped. */

/** What the runner needs of an engine (the shape of engine/engine.ts' Engine): a
 * query is PromQL text or an already parsed expression. */
export interface QueryEngine {
  instantQuery(querier: Querier, query: string | Expr, t: number): Promise<QueryResult>;
  rangeQuery(querier: Querier, query: string | Expr, start: number, end: number, step: number): Promise<QueryResult>;
}

/** What the runner needs of the PromQL parser; both optional. */
export interface RunnerHooks {
  /** The matchers of every vector selector in `expr` (including those of range
   * selectors and inside subqueries). Used to skip evals that select series loaded
   * with native histogram values. May throw for unparsable input. Unused since native
   * histograms are supported; kept for callers. */
  selectors?(expr: string): readonly (readonly Matcher[])[];
  /** `expr` with `@ t` (ms) added to every selector and subquery that has none, or
   * null when the expression uses a function that makes that unsafe (time(),
   * timestamp(), ...). With it, instant evals are also run at the times Prometheus
   * uses for its @-modifier variants. */
  atModifierQuery?(expr: string, t: number): string | Expr | null;
}

export type Status = "passed" | "failed" | "skipped";

export interface Outcome {
  /** 1-based line of the eval (or of the broken command / load). */
  line: number;
  /** "eval", or "load"/"script" for a command that failed before any query. */
  kind: "eval" | "load" | "script";
  expr: string;
  status: Status;
  /** Why it failed or was skipped. */
  message?: string;
}

export interface ScriptResult {
  passed: number;
  failed: number;
  skipped: number;
  outcomes: Outcome[];
}

export interface RunOptions {
  hooks?: RunnerHooks;
  /** Only evals on these lines are run and counted; loads and clears all run. */
  onlyLines?: ReadonlySet<number>;
  /** Called after each eval or failed command. */
  onOutcome?: (o: Outcome) => void;
  /** A fresh, empty storage for the script and after each `clear` (default: a
   * MemoryStorage), e.g. SeriesStore shards to check them against the same results. */
  storage?: () => Storage;
}

const MINUTE = 60_000;
const QUERY_CONTEXT_FUNCS = /(start|end|range|step)\(\)/;

type Attempt = { ok: true; result: QueryResult } | { ok: false; kind: "query" | "parse" | "crash"; message: string };

async function attempt(run: () => Promise<QueryResult>): Promise<Attempt> {
  try {
    return { ok: true, result: await run() };
  } catch (e) {
    if (e instanceof QueryError) return { ok: false, kind: "query", message: e.message };
    if (e instanceof ParseError) return { ok: false, kind: "parse", message: e.message };
    const err = e as Error;
    return { ok: false, kind: "crash", message: `${err?.name ?? "Error"}: ${err?.message ?? String(e)}` };
  }
}

/** A failed query: an evaluation error is checked against `expect fail`; a parse error
 * always fails (Prometheus parses every expression when it reads the script), and so
 * does anything thrown that is not a QueryError (an engine bug, not a PromQL error). */
function failedAttempt(ev: EvalCommand, a: Extract<Attempt, { ok: false }>): string | null {
  if (a.kind === "parse") return `parse error: ${a.message}`;
  if (a.kind === "crash") return `engine threw ${a.message}`;
  return checkExpectedFailure(ev, a.message);
}

class ScriptRun {
  private storage: Storage;
  readonly result: ScriptResult = { passed: 0, failed: 0, skipped: 0, outcomes: [] };

  constructor(
    private readonly engine: QueryEngine,
    private readonly opts: RunOptions,
  ) {
    this.storage = this.newStorage();
  }

  private newStorage(): Storage {
    return this.opts.storage?.() ?? new MemoryStorage();
  }

  record(o: Outcome): void {
    this.result.outcomes.push(o);
    this.result[o.status]++;
    this.opts.onOutcome?.(o);
  }

  clear(): void {
    this.storage = this.newStorage();
  }

  async load(cmd: LoadCommand): Promise<void> {
    const app = this.storage.appender();
    try {
      for (const s of cmd.series) {
        const { values, omitted, histograms } = s.seq;
        for (let i = 0; i < values.length; i++) {
          if (omitted[i]) continue;
          const h = histograms?.[i];
          if (h !== undefined) app.appendHistogram!(s.labels, i * cmd.stepMs, h);
          else app.append(s.labels, i * cmd.stepMs, values[i]!);
        }
      }
      if (cmd.withNHCB) {
        for (const { labels, samples } of nhcbSamples(cmd)) for (const { t, h } of samples) app.appendHistogram!(labels, t, h);
      }
    } catch (e) {
      app.rollback();
      this.record({ line: cmd.line, kind: "load", expr: "", status: "failed", message: `load failed: ${(e as Error).message}` });
      return;
    }
    const res = await app.commit();
    if (res.rejected > 0) {
      const r = res.rejections[0]!;
      const why = r.reason === "duplicate" ? "duplicate sample for timestamp" : "out of order sample";
      this.record({
        line: cmd.line,
        kind: "load",
        expr: "",
        status: "failed",
        message: `load failed: ${res.rejected} sample${res.rejected === 1 ? "" : "s"} rejected, first: ${why} for ${formatSeries(labelsFromKey(r.series))} at t=${r.t}`,
      });
    }
  }

  async eval(ev: EvalCommand): Promise<void> {
    let message: string | null;
    try {
      message = ev.isRange ? await this.evalRange(ev) : await this.evalInstant(ev);
    } catch (e) {
      message = `runner error: ${(e as Error).message}`;
    }
    this.record({ line: ev.line, kind: "eval", expr: ev.expr, status: message === null ? "passed" : "failed", ...(message === null ? {} : { message }) });
  }

  private async evalRange(ev: EvalCommand): Promise<string | null> {
    const q = this.storage.querier();
    const a = await attempt(() => this.engine.rangeQuery(q, ev.expr, ev.start, ev.end, ev.step));
    if (!a.ok) return failedAttempt(ev, a);
    if (isFail(ev)) return `expected an error but the query succeeded with ${describeValue(a.result.value)}`;
    return checkAnnotations(ev, a.result.warnings, a.result.infos) ?? compareResult(ev, a.result.value);
  }

  private async evalInstant(ev: EvalCommand): Promise<string | null> {
    const first = await this.instantAt(ev, ev.expr, ev.evalTime);
    if (first !== null) return first;
    const variant = this.opts.hooks?.atModifierQuery?.(ev.expr, ev.evalTime) ?? null;
    if (variant === null) return null;
    const as = typeof variant === "string" ? `as ${variant}` : `with @ ${ev.evalTime / 1000} on its selectors`;
    for (const t of atModifierTimes(ev.evalTime)) {
      const msg = await this.instantAt(ev, variant, t);
      if (msg !== null) return `${as}, evaluated at t=${t}: ${msg}`;
    }
    return null;
  }

  private async instantAt(ev: EvalCommand, expr: string | Expr, t: number): Promise<string | null> {
    const q = this.storage.querier();
    const a = await attempt(() => this.engine.instantQuery(q, expr, t));
    if (!a.ok) return failedAttempt(ev, a);
    if (isFail(ev)) return `expected an error but the query succeeded with ${describeValue(a.result.value)}`;
    const bad = checkAnnotations(ev, a.result.warnings, a.result.infos) ?? compareResult(ev, a.result.value);
    if (bad !== null) return bad;
    if (ev.excludeFromRangeQuery || QUERY_CONTEXT_FUNCS.test(typeof expr === "string" ? expr : ev.expr)) return null;
    const rm = await this.rangeMode(ev, expr, t, a.result.value, q);
    return rm === null ? null : `range mode: ${rm}`;
  }

  /** Prometheus' cross-check: the same expression as a range query from t-1m to t+1m
   * step 1m must give the instant result at its middle step. */
  private async rangeMode(ev: EvalCommand, expr: string | Expr, t: number, instant: Value, q: Querier): Promise<string | null> {
    const a = await attempt(() => this.engine.rangeQuery(q, expr, t - MINUTE, t + MINUTE, MINUTE));
    if (!a.ok) return `error evaluating as a range query: ${a.message}`;
    if (isOrdered(ev)) return null;
    const m = a.result.value;
    if (m.type !== "matrix") return `a range query returned ${m.type}, not matrix`;
    const unsorted = checkMatrixSorted(m);
    if (unsorted !== null) return unsorted;
    const vec: Vector = { type: "vector", samples: [] };
    for (const s of m.series) {
      for (let i = 0; i < s.ts.length; i++) {
        if (s.ts[i] === t) {
          const h = s.hs?.[i];
          vec.samples.push(h === undefined ? { labels: s.labels, t, v: s.vs[i]! } : { labels: s.labels, t, v: 0, h });
          break;
        }
      }
    }
    if (instant.type === "scalar") {
      const s = vec.samples[0];
      if (s === undefined) return `no point at t=${t} for the scalar result`;
      return compareResult(ev, { type: "scalar", t, v: s.v });
    }
    return compareResult(ev, vec);
  }
}

/** The evaluation times of Prometheus' @-modifier variants of an instant eval at t. */
export function atModifierTimes(t: number): number[] {
  if (t === 0) return [-1000, 0, 1000];
  return [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
}

/** Runs one script. Script lines that do not parse and loads that fail count as
 * failures; the rest of the script still runs. */
export async function runScript(input: string | Script, engine: QueryEngine, opts: RunOptions = {}): Promise<ScriptResult> {
  const script = typeof input === "string" ? parseScript(input) : input;
  const run = new ScriptRun(engine, opts);
  if (opts.onlyLines === undefined) for (const e of script.errors) run.record({ line: e.line, kind: "script", expr: "", status: "failed", message: e.message });
  for (const cmd of script.commands) {
    switch (cmd.kind) {
      case "clear":
        run.clear();
        break;
      case "load":
        await run.load(cmd);
        break;
      case "eval":
        if (opts.onlyLines === undefined || opts.onlyLines.has(cmd.line)) await run.eval(cmd);
        break;
    }
  }
  run.result.outcomes.sort((a, b) => a.line - b.line);
  return run.result;
}
