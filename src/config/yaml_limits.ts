// The bounds go-yaml puts on a document, so that a hostile file fails with an error
// in bounded time and memory instead of exhausting the stack or expanding aliases
// into billions of nodes. Configuration files only ever nest a few levels deep.
import { isAlias, isNode, Parser, visit, type Document, type Node } from "yaml";

/** Deepest nesting of collections accepted. go-yaml allows 10000; the yaml library's
 * composer recurses once per level and runs out of stack near 800, so the bound is
 * lower, and still far beyond any real configuration. */
export const MAX_YAML_DEPTH = 200;

/** go-yaml's message when a document nests too deeply, or undefined. Measured on the
 * library's concrete syntax tree, which it builds without recursion, before anything
 * recursive sees the document. */
export function yamlDepthError(text: string): string | undefined {
  for (const token of new Parser().parse(text)) {
    const stack: [unknown, number][] = [[token, 0]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop()!;
      const type = (node as { type?: unknown }).type;
      const d = type === "block-map" || type === "block-seq" || type === "flow-collection" ? depth + 1 : depth;
      if (d > MAX_YAML_DEPTH) return `yaml: exceeded max depth of ${MAX_YAML_DEPTH}`;
      for (const v of Object.values(node as object)) if (v !== null && typeof v === "object") stack.push([v, d]);
    }
  }
  return undefined;
}

/** What each alias of a document refers to: the last node with its anchor before it,
 * found in one pass (Alias.resolve walks the whole document on every call, which
 * makes a file of many aliases quadratic). */
export function aliasTargets(doc: Document.Parsed): Map<Node, Node | undefined> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node | undefined>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (isNode(node) && typeof node.anchor === "string") anchors.set(node.anchor, node);
    },
  });
  return targets;
}

const ALIAS_RATIO_RANGE_LOW = 400_000;
const ALIAS_RATIO_RANGE_HIGH = 4_000_000;

/** go-yaml's share of decoded nodes that may come from alias expansion: 99% for
 * small documents, falling to 10% for very large ones. */
function allowedAliasRatio(decodes: number): number {
  if (decodes <= ALIAS_RATIO_RANGE_LOW) return 0.99;
  if (decodes >= ALIAS_RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - (0.89 * (decodes - ALIAS_RATIO_RANGE_LOW)) / (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW);
}

/** go-yaml's defence against alias bombs ("billion laughs"): nodes decoded in all and
 * through an alias, refused once aliases do nearly all the work. A bomb is stopped
 * after a few thousand nodes; an honest document with a few anchors never is. */
export class AliasBudget {
  private decodes = 0;
  private aliased = 0;
  private depth = 0;

  /** Counts one decoded node; the error message once the budget is exceeded. */
  decode(): string | undefined {
    this.decodes++;
    if (this.depth > 0) this.aliased++;
    if (this.aliased > 100 && this.decodes > 1000 && this.aliased / this.decodes > allowedAliasRatio(this.decodes)) {
      return "yaml: document contains excessive aliasing";
    }
    return undefined;
  }

  /** Brackets the decoding of an alias's target. */
  enter(): void {
    this.depth++;
  }

  leave(): void {
    this.depth--;
  }
}
