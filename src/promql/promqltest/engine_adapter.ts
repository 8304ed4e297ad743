import { Engine } from "../engine/engine.js";
import { parseExpr } from "../parser/parser.js";
import { collectSelectors, withAtModifier } from "./ast_walk.js";
import type { QueryEngine, RunnerHooks } from "./runner.js";

/** The one place where the promqltest runner meets the real engine and parser; the
 * runner itself only knows the QueryEngine / RunnerHooks shapes. */

/** Prometheus' promqltest engine settings (NewTestEngine with
 * DefaultMaxSamplesPerQuery): at most 10000 samples per query, 100 s timeout, the
 * default 5 m lookback. */
export const TEST_ENGINE_OPTIONS = {
  lookbackDeltaMs: 5 * 60_000,
  maxSamples: 10_000,
  timeoutMs: 100_000,
};

export function createTestEngine(): QueryEngine {
  return new Engine(TEST_ENGINE_OPTIONS);
}

export const testHooks: RunnerHooks = {
  selectors: (expr) => collectSelectors(parseExpr(expr)),
  atModifierQuery: (expr, t) => withAtModifier(parseExpr(expr), t),
};
