import { expect } from "vitest";
import type { Expr } from "../../../src/promql/parser/ast.js";
import { ParseError } from "../../../src/promql/parser/errors.js";
import { parseExpr } from "../../../src/promql/parser/parser.js";

/** A copy of the tree without positions and with matchers in a canonical order (the
 * printer sorts matchers, as Prometheus' does), for structural comparison. */
export function normalize(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(normalize);
  if (e instanceof RegExp || e === null || typeof e !== "object") return e;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === "pos") continue;
    if (k === "matchers" && Array.isArray(v)) {
      out[k] = [...v].map((m: { type: string; name: string; value: string }) => ({ type: m.type, name: m.name, value: m.value }))
        .sort((a, b) => (a.name + a.type + a.value < b.name + b.type + b.value ? -1 : 1));
      continue;
    }
    out[k] = normalize(v);
  }
  return out;
}

/** The ParseError a query raises, as [offset, detail]. */
export function parseFailure(q: string): [number, string] {
  try {
    parseExpr(q);
  } catch (e) {
    if (e instanceof ParseError) return [e.offset, e.detail];
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(q)} to fail`);
}

export function expectSameTree(a: Expr, b: Expr): void {
  expect(normalize(a)).toEqual(normalize(b));
}
