import fc from "fast-check";
import { expect } from "vitest";

/**
 * Shared settings of the fuzz suites. CI runs every property with a fixed seed and few
 * runs, so a red build is reproducible and all suites together stay in the seconds;
 * `npm run fuzz` (FUZZ_RUNS=200000) is the long local mode. A failure prints the seed
 * and the counterexample path, so `FUZZ_SEED=<seed> FUZZ_RUNS=<runs>` replays it.
 */

/** Runs of a property of cost 1 in CI. */
const DEFAULT_RUNS = 1000;
/** Any fixed number: what matters is that CI always explores the same inputs. */
const DEFAULT_SEED = 424242;
/** The unit project's own limit, which the defaults stay well inside. */
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REPORT_CHARS = 4000;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

export const FUZZ_RUNS = envInt("FUZZ_RUNS", DEFAULT_RUNS);
export const FUZZ_SEED = envInt("FUZZ_SEED", DEFAULT_SEED);

export interface FuzzOptions {
  seed: number;
  numRuns: number;
}

/** fast-check parameters for a property whose single run costs about `cost` times a
 * cheap one (parsing a short string); dear properties get proportionally fewer runs. */
export function fuzzOptions(cost = 1): FuzzOptions {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(FUZZ_RUNS / cost)) };
}

/** A test timeout that grows with FUZZ_RUNS, so the long mode is not cut short. */
export function fuzzTimeout(): number {
  return Math.max(DEFAULT_TIMEOUT_MS, Math.ceil((DEFAULT_TIMEOUT_MS * FUZZ_RUNS) / DEFAULT_RUNS));
}

/** Throws the replayable report of a failed run; a run that explored nothing fails too
 * (it counts as the test's assertion). */
function report(details: fc.RunDetails<unknown>, opts: FuzzOptions): void {
  if (!details.failed) {
    expect(details.numRuns, "fuzz cases run").toBeGreaterThan(0);
    return;
  }
  const replay = `reproduce with FUZZ_SEED=${opts.seed} FUZZ_RUNS=${FUZZ_RUNS} (seed ${details.seed}, path "${details.counterexamplePath ?? ""}")`;
  console.error(`fuzz failure: ${replay}`);
  // Counterexamples of the time properties are 100 KB long; the head says enough.
  const message = fc.defaultReportMessage(details) ?? "property failed";
  const shown = message.length > MAX_REPORT_CHARS ? `${message.slice(0, MAX_REPORT_CHARS)}... (${message.length} characters)` : message;
  throw new Error(`${shown}\n${replay}`);
}

/** Checks a synchronous property with the suite's seed and run count. */
export function fuzz<Ts>(property: fc.IProperty<Ts>, cost = 1): void {
  const opts = fuzzOptions(cost);
  report(fc.check(property, opts) as fc.RunDetails<unknown>, opts);
}

/** Checks an asynchronous property with the suite's seed and run count. */
export async function fuzzAsync<Ts>(property: fc.IAsyncProperty<Ts>, cost = 1): Promise<void> {
  const opts = fuzzOptions(cost);
  report((await fc.check(property, opts)) as fc.RunDetails<unknown>, opts);
}
