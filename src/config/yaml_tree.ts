import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import { goBytes } from "../model/quote.js";
import { ConfigError } from "./errors.js";
import { AliasBudget, aliasTargets, MAX_YAML_DEPTH, yamlDepthError } from "./yaml_limits.js";

/** How a YAML 1.1 scalar resolved (Prometheus reads its files with go-yaml v2,
 * which follows YAML 1.1: `yes`/`on` are booleans, `010` is octal). */
export type ScalarKind = "str" | "int" | "float" | "bool" | "null" | "timestamp";

/** A scalar leaf as written: its source text (what a Go string field receives),
 * the resolved value, and its line. */
export class YamlScalar {
  constructor(
    readonly source: string,
    readonly value: unknown,
    readonly kind: ScalarKind,
    readonly line: number | undefined,
  ) {}

  /** The text a Go `string` field would hold. */
  get text(): string {
    return this.kind === "str" ? String(this.value) : this.source;
  }
}

export type YamlValue = YamlScalar | YamlValue[] | { [key: string]: YamlValue };

export interface YamlTree {
  /** undefined for an empty document. */
  root: YamlValue | undefined;
  /** Duplicate mapping keys, which go-yaml reports as unmarshal errors. */
  duplicates: { path: (string | number)[]; key: string; line: number | undefined }[];
  /** The line of the deepest node along `path` that exists (keys count at their own line). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export function isYamlMap(v: unknown): v is { [key: string]: YamlValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof YamlScalar);
}

const INT_RE = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[1-9][0-9_]*(?::[0-5]?[0-9])*|0)$/;

/** Parses YAML text into a tree of plain objects, arrays and {@link YamlScalar}s,
 * keeping line numbers. Syntax errors throw a ConfigError worded like go-yaml's
 * (`yaml: line 2: ...`). Only the first document of a stream is read, as go-yaml does. */
export function parseYamlTree(text: string): YamlTree {
  const tooDeep = yamlDepthError(text);
  if (tooDeep !== undefined) throw new ConfigError(tooDeep);
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { version: "1.1", lineCounter: lc, uniqueKeys: false, merge: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0] as Document.Parsed | undefined;
  const keyLines = new WeakMap<object, Map<string, number | undefined>>();
  const nodeLines = new WeakMap<object, number | undefined>();
  const duplicates: YamlTree["duplicates"] = [];
  const lineAt = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lc.linePos(offset).line);

  if (doc === undefined) return { root: undefined, duplicates, lineOf: () => undefined };
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0].line ?? lineAt(err.pos[0]);
    const msg = err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").replace(/\n[\s\S]*$/, "");
    throw new ConfigError(`yaml: ${line !== undefined ? `line ${line}: ` : ""}${msg}`, [{ message: msg, path: [], line }]);
  }

  const targets = aliasTargets(doc);
  const budget = new AliasBudget();
  const convert = (node: unknown, path: (string | number)[], depth: number): YamlValue | undefined => {
    const excessive = budget.decode();
    if (excessive !== undefined) throw new ConfigError(excessive);
    if (depth > MAX_YAML_DEPTH) throw new ConfigError("yaml: document nested too deeply (or an alias refers to itself)");
    if (isAlias(node)) {
      budget.enter();
      try {
        return convert(targets.get(node), path, depth + 1);
      } finally {
        budget.leave();
      }
    }
    if (node === null || node === undefined) return undefined;
    const line = lineAt((node as Node).range?.[0]);
    if (isScalar(node)) {
      const v = node.value;
      const source = typeof node.source === "string" ? node.source : String(v ?? "");
      let kind: ScalarKind;
      if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE" || node.type === "BLOCK_FOLDED" || node.type === "BLOCK_LITERAL") kind = "str";
      else if (typeof v === "string") kind = "str";
      else if (v === null || v === undefined) kind = "null";
      else if (typeof v === "boolean") kind = "bool";
      else if (typeof v === "number" || typeof v === "bigint") kind = INT_RE.test(source) ? "int" : "float";
      else if (v instanceof Date) kind = "timestamp";
      else kind = "str";
      // !!binary decodes to bytes, which a Go string field holds as they are.
      if (v instanceof Uint8Array) return new YamlScalar(goBytes(v), goBytes(v), "str", line);
      return new YamlScalar(source, kind === "str" ? String(v ?? "") : v, kind, line);
    }
    if (isSeq(node)) {
      const out: YamlValue[] = [];
      node.items.forEach((item, i) => {
        const v = convert(item, [...path, i], depth + 1);
        out.push(v ?? new YamlScalar("", null, "null", lineAt((item as Node | null)?.range?.[0]) ?? line));
      });
      nodeLines.set(out, line);
      return out;
    }
    if (isMap(node)) {
      const out: { [key: string]: YamlValue } = {};
      const lines = new Map<string, number | undefined>();
      const merged: { [key: string]: YamlValue }[] = [];
      for (const pair of node.items) {
        const keyNode = isAlias(pair.key) ? targets.get(pair.key) : pair.key;
        const keyLine = lineAt((keyNode as Node | null)?.range?.[0]);
        if (!isScalar(keyNode)) throw new ConfigError(`yaml: line ${keyLine ?? "?"}: mapping keys must be scalars`);
        const plain = keyNode.type === "PLAIN";
        const key = plain && typeof keyNode.source === "string" ? keyNode.source : String(keyNode.value ?? "");
        if (plain && key === "<<") {
          const v = convert(pair.value, path, depth + 1);
          for (const m of Array.isArray(v) ? v : [v]) {
            if (!isYamlMap(m)) throw new ConfigError(`yaml: line ${keyLine ?? "?"}: map merge requires map or sequence of maps as the value`);
            merged.push(m);
          }
          continue;
        }
        if (Object.prototype.hasOwnProperty.call(out, key) || lines.has(key)) {
          duplicates.push({ path: [...path, key], key, line: keyLine });
          continue;
        }
        lines.set(key, keyLine);
        // A null value (`key:` or `key: ~`) leaves the field unset, as in go-yaml.
        const v = convert(pair.value, [...path, key], depth + 1);
        if (v !== undefined && !(v instanceof YamlScalar && v.kind === "null")) out[key] = v;
      }
      for (const m of merged) {
        const mLines = keyLines.get(m);
        for (const [k, v] of Object.entries(m)) {
          if (lines.has(k)) continue;
          lines.set(k, mLines?.get(k));
          out[k] = v;
        }
      }
      keyLines.set(out, lines);
      nodeLines.set(out, line);
      return out;
    }
    return undefined;
  };

  const converted = convert(doc.contents, [], 0);
  const root = converted instanceof YamlScalar && converted.kind === "null" ? undefined : converted;
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    let cur: unknown = root;
    let line: number | undefined = root instanceof YamlScalar ? root.line : root === undefined ? undefined : nodeLines.get(root);
    for (const seg of path) {
      if (Array.isArray(cur) && typeof seg === "number") {
        cur = cur[seg];
        if (cur instanceof YamlScalar) line = cur.line ?? line;
        else if (typeof cur === "object" && cur !== null) line = nodeLines.get(cur) ?? line;
        else break;
      } else if (isYamlMap(cur) && typeof seg === "string") {
        line = keyLines.get(cur)?.get(seg) ?? line;
        cur = cur[seg];
        if (cur === undefined) break;
      } else break;
    }
    return line;
  };
  return { root, duplicates, lineOf };
}
