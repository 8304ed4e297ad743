import type { BenchResult } from "./chunkenc.js";

/** A bench's figures one a line, as each bench prints them when run alone: name, value
 * to four digits, unit, in columns as wide as that bench's longest names. */
export function printResults(rs: readonly BenchResult[], nameWidth: number, valueWidth: number): void {
  for (const r of rs) console.log(`${r.name.padEnd(nameWidth)} ${r.value.toPrecision(4).padStart(valueWidth)} ${r.unit}`);
}
