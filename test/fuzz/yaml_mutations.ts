import fc from "fast-check";
import { parse, stringify } from "yaml";

/** Mutations of YAML documents shared by the config and rule file fuzz suites: the
 * mistakes people make (wrong types, unknown fields, bad durations and regexes,
 * huge numbers) and the shapes attackers send (deep nesting, alias bombs). */

/** Values to put where another value was. */
export const WRONG_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e400, 99999999999999999999, -9223372036854775809, "", "x", "5x", "-1s", "1h1h", "1.5m",
  "9999999999999999y", "0s", "10y", "(", "[", "a{99999}", "(?<x>a)", "\\", "é😀", "\u0000", "%s", "{{ .x }}", "replace", "Keep",
  "hashmod", "labelmap", "drop_equal", "nope", "http://", "://x", "a:99999", [], [1, "a"], {}, { a: 1 }, { "": null }, [[[]]],
];

/** Keys to add where a mapping was. */
export const EXTRA_KEYS = ["foo", "job_name", "scrape_interval", "regex", "action", "expr", "for", "labels", "<<", "", " ", "é", "rules"];

export type Mutation = { at: number[]; kind: "replace" | "delete" | "add" | "wrap" | "dup"; value: number; key: number };

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.array(fc.nat(), { maxLength: 8 }),
  kind: fc.constantFrom("replace", "replace", "delete", "add", "wrap", "dup"),
  value: fc.nat(),
  key: fc.nat(),
});

/** Applies a mutation at the node reached by following `at` (indices taken modulo the
 * children of each node), stopping early where the path runs out. */
export function mutateTree(root: unknown, m: Mutation): unknown {
  const value = WRONG_VALUES[m.value % WRONG_VALUES.length];
  const key = EXTRA_KEYS[m.key % EXTRA_KEYS.length]!;
  const apply = (node: unknown): unknown => {
    switch (m.kind) {
      case "replace":
        return structuredClone(value);
      case "delete":
        return undefined;
      case "add":
        if (node !== null && typeof node === "object" && !Array.isArray(node)) return { ...node, [key]: structuredClone(value) };
        if (Array.isArray(node)) return [...node, structuredClone(value)];
        return node;
      case "wrap":
        return [node];
      case "dup":
        return Array.isArray(node) ? [...node, ...node] : node;
    }
  };
  const walk = (node: unknown, depth: number): unknown => {
    const children = node !== null && typeof node === "object" ? Object.keys(node) : [];
    if (depth >= m.at.length || children.length === 0) return apply(node);
    const k = children[m.at[depth]! % children.length]!;
    const copy: Record<string, unknown> | unknown[] = Array.isArray(node) ? [...node] : { ...(node as object) };
    const v = walk((node as Record<string, unknown>)[k], depth + 1);
    if (v === undefined) {
      if (Array.isArray(copy)) copy.splice(Number(k), 1);
      else delete copy[k];
    } else (copy as Record<string, unknown>)[k] = v;
    return copy;
  };
  return walk(root, 0);
}

/** A document mutated structurally, then printed back to YAML. */
export function mutatedDocument(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([seed, ms]) => {
    let tree: unknown = parse(seed, { version: "1.1", merge: true }) ?? {};
    for (const m of ms) tree = mutateTree(tree, m) ?? {};
    return stringify(tree);
  });
}

/** Text-level damage: characters inserted, deleted or a line repeated. */
export function damagedText(seeds: readonly string[]): fc.Arbitrary<string> {
  const piece = fc.constantFrom(":", "- ", "  ", "\t", "\n", "'", '"', "&a ", "*a", "*nope", "!!int ", "!!binary ", "<<: ", "[", "{", "}", "]", "#", "|", ">", "%YAML 1.2\n", "---\n", "...\n", "\u0001", "\ufeff", "é");
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.record({ at: fc.nat(), del: fc.nat({ max: 6 }), ins: fc.oneof(piece, fc.string({ maxLength: 3 })) }), { minLength: 1, maxLength: 4 }))
    .map(([s, edits]) => {
      for (const e of edits) {
        const at = s.length === 0 ? 0 : e.at % (s.length + 1);
        s = s.slice(0, at) + e.ins + s.slice(at + e.del);
      }
      return s;
    });
}

/** Nine levels of nine aliases ("billion laughs") placed under `key`, optionally at
 * a deeper path, with `levels` and `fanout` chosen by the fuzzer. */
export const aliasBomb = fc
  .record({ levels: fc.integer({ min: 2, max: 9 }), fanout: fc.integer({ min: 2, max: 10 }), map: fc.boolean() })
  .map(({ levels, fanout, map }) => {
    let y = `x0: &a0 ${map ? "{k: v}" : '["lol"]'}\n`;
    for (let i = 1; i < levels; i++) {
      const refs = Array.from({ length: fanout }, (_, j) => (map ? `k${j}: *a${i - 1}` : `*a${i - 1}`)).join(", ");
      y += `x${i}: &a${i} ${map ? `{${refs}}` : `[${refs}]`}\n`;
    }
    return { anchors: y, top: `*a${levels - 1}` };
  });

/** A list of `n` aliases of one anchored scalar, as a flow sequence. */
export const manyAliases = fc.integer({ min: 500, max: 2500 }).map((n) => ({ anchor: '&a "h:1"', list: `[${Array(n).fill("*a").join(", ")}]` }));

/** Nesting up to `max` deep in flow or block style. */
export function deepNesting(max: number): fc.Arbitrary<string> {
  return fc.record({ n: fc.integer({ min: 100, max }), style: fc.constantFrom("flow-seq", "flow-map", "block-seq", "block-map") }).map(({ n, style }) => nested(n, style));
}

function nested(n: number, style: string): string {
  switch (style) {
    case "flow-seq":
      return "[".repeat(n) + "]".repeat(n);
    case "flow-map":
      return "{a: ".repeat(n) + "1" + "}".repeat(n);
    case "block-seq":
      return "\n" + Array.from({ length: Math.min(n, 3000) }, (_, i) => " ".repeat(i) + "-").join("\n");
    default:
      return "\n" + Array.from({ length: Math.min(n, 3000) }, (_, i) => " ".repeat(i) + "a:").join("\n");
  }
}
