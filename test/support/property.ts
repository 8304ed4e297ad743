import fc from "fast-check";
import { expect } from "vitest";

/** fast-check properties as vitest assertions: the run must have explored at least one
 * case and found no counterexample. fc.assert only throws, so a property that never ran
 * would pass a test silently; these count as assertions and fail in both cases. */
export function holds<Ts>(property: fc.IProperty<Ts>, params?: fc.Parameters<Ts>): fc.RunDetails<Ts> {
  return verdict(fc.check(property, params));
}

export async function holdsAsync<Ts>(property: fc.IAsyncProperty<Ts>, params?: fc.Parameters<Ts>): Promise<fc.RunDetails<Ts>> {
  return verdict(await fc.check(property, params));
}

function verdict<Ts>(details: fc.RunDetails<Ts>): fc.RunDetails<Ts> {
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? "property failed");
  expect(details.numRuns, "property cases run").toBeGreaterThan(0);
  return details;
}
