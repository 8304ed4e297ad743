import type { Expr } from "./ast.js";
import { parseExpr, type ParseOptions } from "./parser.js";

/** Longest query text kept: dashboards repeat short queries; a generated giant one
 * is parsed each time rather than held. */
const MAX_CACHED_LENGTH = 4096;

/**
 * The trees of recently parsed query texts, for the API's query routes: Grafana and
 * dashboards send the same texts again at every refresh. A tree handed out is frozen
 * (every node, matcher and list; not the shared function signatures nor compiled
 * regexes), so nothing that evaluates it can change what the next caller gets: a
 * write would throw. Texts that fail to parse are not kept and throw again, with
 * their positions, each time.
 */
export class ParseCache {
  private readonly trees = new Map<string, Expr>();

  constructor(
    private readonly capacity = 256,
    private readonly options: ParseOptions = {},
  ) {}

  parse(input: string): Expr {
    const hit = this.trees.get(input);
    if (hit !== undefined) {
      // Most recently used last: the first entry is the one to evict.
      this.trees.delete(input);
      this.trees.set(input, hit);
      return hit;
    }
    const expr = parseExpr(input, this.options);
    if (input.length <= MAX_CACHED_LENGTH && this.capacity > 0) {
      deepFreeze(expr);
      if (this.trees.size >= this.capacity) this.trees.delete(this.trees.keys().next().value!);
      this.trees.set(input, expr);
    }
    return expr;
  }
}

/** Freezes plain objects and arrays reachable from v, leaving class instances (the
 * compiled regexes with their caches) and function signatures as they are. */
function deepFreeze(v: unknown): void {
  const todo: unknown[] = [v];
  while (todo.length > 0) {
    const o = todo.pop();
    if (typeof o !== "object" || o === null || Object.isFrozen(o)) continue;
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== Array.prototype) continue;
    Object.freeze(o);
    for (const [k, x] of Object.entries(o)) if (k !== "func") todo.push(x);
  }
}
