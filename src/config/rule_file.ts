// Rule files (Prometheus' rulefmt): YAML decoded the way go-yaml v3 decodes it into
// rulefmt's types (strict about unknown fields, its error wording and line numbers),
// then validated like rulefmt.RuleGroups.Validate, with each error naming the group,
// the rule and the line:column of the offending node. PromQL and template checks
// come from the caller: config/ sits below promql/ and rules/.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import { parseDuration } from "../model/time.js";
import { aliasTargets, yamlDepthError } from "./yaml_limits.js";

export interface RuleDef {
  /** Exactly one of record and alert is non-empty in a valid file. */
  record: string;
  alert: string;
  expr: string;
  /** ms; 0 when not set. */
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroupDef {
  name: string;
  /** ms; 0 means the global evaluation_interval. */
  intervalMs: number;
  /** ms; undefined means the global rule_query_offset. */
  queryOffsetMs?: number;
  /** 0 means no limit. */
  limit: number;
  /** Labels added to every rule of the group (rule labels win). */
  labels: Record<string, string>;
  rules: RuleDef[];
}

/** Checks rulefmt runs through other packages. Each returns null when the input is
 * fine, else the error text. */
export interface RuleFileChecks {
  /** Prometheus' parser message, as `1:5: parse error: unexpected ...`. */
  expr(expr: string): string | null;
  /** Go text/template's message for an alerting rule's label or annotation template
   * (`template: __alert_X:1: ...`); `name` is the template's name. */
  template(name: string, text: string): string | null;
}

export interface RuleFileOptions {
  /** promtool's --ignore-unknown-fields. */
  ignoreUnknownFields?: boolean;
  checks?: RuleFileChecks;
}

export interface ParsedRuleFile {
  /** Empty when the file is invalid. */
  groups: RuleGroupDef[];
  /** Prometheus' messages; the file is valid when there are none. */
  errors: string[];
  warnings: string[];
}

/** A node's line and column (1-based); 0:0 for a node that is not in the file, as
 * go-yaml prints an empty yaml.Node. */
interface Pos {
  line: number;
  col: number;
}

const NO_POS: Pos = { line: 0, col: 0 };

interface RuleNode {
  def: RuleDef;
  record: Pos;
  alert: Pos;
  expr: Pos;
}

interface GroupNode {
  pos: Pos;
  def: RuleGroupDef;
  rules: RuleNode[];
}

/** go-yaml's error for a duration (or another value with its own parser): it stops
 * decoding and is reported alone. */
class AbortDecode extends Error {}

type Field = { key: string; keyPos: Pos; value: Node | null };

/** The decoding half: YAML nodes into rulefmt's shapes, collecting go-yaml v3's
 * "unmarshal errors". */
class Decoder {
  readonly typeErrors: string[] = [];
  /** Each alias's target, found once: Alias.resolve walks the whole document per call. */
  private readonly targets: Map<Node, Node | undefined>;

  constructor(
    doc: Document.Parsed,
    private readonly lc: LineCounter,
    private readonly strict: boolean,
  ) {
    this.targets = aliasTargets(doc);
  }

  pos(node: Node | null | undefined): Pos {
    const off = node?.range?.[0];
    if (off === undefined) return NO_POS;
    const p = this.lc.linePos(off);
    return { line: p.line, col: p.col };
  }

  resolve(node: unknown): Node | null {
    let n = node;
    for (let depth = 0; isAlias(n); depth++) {
      if (depth > 100) throw new AbortDecode("yaml: anchor refers to itself");
      n = this.targets.get(n);
    }
    if (n === null || n === undefined) return null;
    if (isScalar(n) && n.value === null) return null;
    return n as Node;
  }

  private tag(n: Node): string {
    if (isMap(n)) return "!!map";
    if (isSeq(n)) return "!!seq";
    if (isScalar(n)) {
      const v = n.value;
      if (n.type === "QUOTE_DOUBLE" || n.type === "QUOTE_SINGLE" || n.type === "BLOCK_FOLDED" || n.type === "BLOCK_LITERAL" || typeof v === "string") return "!!str";
      if (typeof v === "boolean") return "!!bool";
      if (typeof v === "number" || typeof v === "bigint") return /^[-+]?(0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/.test(String(n.source ?? v)) ? "!!int" : "!!float";
    }
    return "!!str";
  }

  /** go-yaml v3's "cannot unmarshal" wording: long scalar values are shortened. */
  mismatch(n: Node, goType: string): void {
    const tag = this.tag(n);
    let value = "";
    if (tag !== "!!map" && tag !== "!!seq") {
      const text = this.text(n);
      value = text.length > 10 ? ` \`${text.slice(0, 7)}...\`` : ` \`${text}\``;
    }
    this.typeErrors.push(`line ${this.pos(n).line}: cannot unmarshal ${tag}${value} into ${goType}`);
  }

  /** The text a Go string receives from a scalar. */
  private text(n: Node): string {
    if (!isScalar(n)) return "";
    if (typeof n.value === "string") return n.value;
    return typeof n.source === "string" ? n.source : String(n.value ?? "");
  }

  str(n: Node | null): string {
    if (n === null) return "";
    if (!isScalar(n)) {
      this.mismatch(n, "string");
      return "";
    }
    return this.text(n);
  }

  int(n: Node | null): number {
    if (n === null) return 0;
    const tag = this.tag(n);
    if (isScalar(n) && (tag === "!!int" || tag === "!!float")) {
      const v = Number(n.value);
      if (Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return Math.trunc(v);
    }
    this.mismatch(n, "int");
    return 0;
  }

  duration(n: Node | null): number {
    if (n === null) return 0;
    if (!isScalar(n)) {
      this.mismatch(n, "string");
      return 0;
    }
    const text = this.text(n);
    if (text === "") throw new AbortDecode("empty duration string");
    try {
      return parseDuration(text);
    } catch {
      throw new AbortDecode(`not a valid duration string: ${JSON.stringify(text)}`);
    }
  }

  stringMap(n: Node | null): Record<string, string> {
    const out: Record<string, string> = {};
    if (n === null) return out;
    if (!isMap(n)) {
      this.mismatch(n, "map[string]string");
      return out;
    }
    for (const f of this.fields(n)) out[f.key] = this.str(f.value === null ? null : f.value);
    return out;
  }

  /** A mapping's entries with `<<` merges applied; duplicate keys are errors. */
  fields(n: Node): Field[] {
    const out: Field[] = [];
    const seen = new Map<string, number>();
    const merged: Field[] = [];
    if (!isMap(n)) return out;
    for (const pair of n.items) {
      const keyNode = this.resolve(pair.key);
      const keyPos = this.pos(pair.key as Node);
      const key = keyNode === null ? "" : isScalar(keyNode) ? this.text(keyNode) : "";
      const value = this.resolve(pair.value);
      if (isScalar(pair.key) && pair.key.type === "PLAIN" && key === "<<" && value !== null) {
        for (const m of isSeq(value) ? value.items.map((i) => this.resolve(i)) : [value]) {
          if (m === null || !isMap(m)) throw new AbortDecode(`yaml: line ${keyPos.line}: map merge requires map or sequence of maps as the value`);
          merged.push(...this.fields(m));
        }
        continue;
      }
      const prev = seen.get(key);
      if (prev !== undefined) {
        this.typeErrors.push(`line ${keyPos.line}: mapping key ${JSON.stringify(key)} already defined at line ${prev}`);
        continue;
      }
      seen.set(key, keyPos.line);
      out.push({ key, keyPos, value });
    }
    for (const f of merged) {
      if (seen.has(f.key)) continue;
      seen.set(f.key, f.keyPos.line);
      out.push(f);
    }
    return out;
  }

  unknown(f: Field, goType: string): void {
    if (this.strict) this.typeErrors.push(`line ${f.keyPos.line}: field ${f.key} not found in type ${goType}`);
  }

  groups(root: Node | null): GroupNode[] {
    if (root === null) return [];
    if (!isMap(root)) {
      this.mismatch(root, "rulefmt.RuleGroups");
      return [];
    }
    let groups: GroupNode[] = [];
    for (const f of this.fields(root)) {
      if (f.key !== "groups") {
        this.unknown(f, "rulefmt.RuleGroups");
        continue;
      }
      if (f.value === null) continue;
      if (!isSeq(f.value)) {
        this.mismatch(f.value, "[]rulefmt.RuleGroup");
        continue;
      }
      groups = f.value.items.map((item) => this.group(this.resolve(item), item as Node));
    }
    return groups;
  }

  private group(n: Node | null, at: Node): GroupNode {
    const def: RuleGroupDef = { name: "", intervalMs: 0, limit: 0, labels: {}, rules: [] };
    const node: GroupNode = { pos: this.pos(n ?? at), def, rules: [] };
    if (n === null) return node;
    if (!isMap(n)) {
      this.mismatch(n, "rulefmt.RuleGroup");
      return node;
    }
    for (const f of this.fields(n)) {
      switch (f.key) {
        case "name":
          def.name = this.str(f.value);
          break;
        case "interval":
          def.intervalMs = this.duration(f.value);
          break;
        case "query_offset":
          if (f.value !== null) def.queryOffsetMs = this.duration(f.value);
          break;
        case "limit":
          def.limit = this.int(f.value);
          break;
        case "labels":
          def.labels = this.stringMap(f.value);
          break;
        case "rules":
          if (f.value === null) break;
          if (!isSeq(f.value)) {
            this.mismatch(f.value, "[]rulefmt.Rule");
            break;
          }
          node.rules = f.value.items.map((item) => this.rule(this.resolve(item)));
          def.rules = node.rules.map((r) => r.def);
          break;
        default:
          this.unknown(f, "rulefmt.RuleGroup");
      }
    }
    return node;
  }

  private rule(n: Node | null): RuleNode {
    const def: RuleDef = { record: "", alert: "", expr: "", forMs: 0, keepFiringForMs: 0, labels: {}, annotations: {} };
    const node: RuleNode = { def, record: NO_POS, alert: NO_POS, expr: NO_POS };
    if (n === null) return node;
    if (!isMap(n)) {
      this.mismatch(n, "rulefmt.Rule");
      return node;
    }
    for (const f of this.fields(n)) {
      switch (f.key) {
        case "record":
          def.record = this.str(f.value);
          node.record = this.pos(f.value);
          break;
        case "alert":
          def.alert = this.str(f.value);
          node.alert = this.pos(f.value);
          break;
        case "expr":
          def.expr = this.str(f.value);
          node.expr = this.pos(f.value);
          break;
        case "for":
          def.forMs = this.duration(f.value);
          break;
        case "keep_firing_for":
          def.keepFiringForMs = this.duration(f.value);
          break;
        case "labels":
          def.labels = this.stringMap(f.value);
          break;
        case "annotations":
          def.annotations = this.stringMap(f.value);
          break;
        default:
          this.unknown(f, "rulefmt.Rule");
      }
    }
    return node;
  }
}

/** Go's %q for the strings rulefmt quotes (group and rule names). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

function at(p: Pos): string {
  return `${p.line}:${p.col}: `;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Valid UTF-8 once encoded: JS strings only fail that with a lone surrogate. */
function isValidUTF8(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Prometheus 3 checks names with UTF-8 validation: any non-empty name is valid. */
function isValidName(name: string): boolean {
  return name.length > 0 && isValidUTF8(name);
}

/** One rule's problems, as rulefmt.Rule.Validate finds them: `where` is the
 * line:column prefix of the node(s) the problem is about ("" for none). */
function validateRule(r: RuleNode, checks: RuleFileChecks | undefined): { where: string; msg: string }[] {
  const d = r.def;
  const out: { where: string; msg: string }[] = [];
  const add = (where: string, msg: string) => out.push({ where, msg });
  if (d.record !== "" && d.alert !== "") add(at(r.record) + at(r.alert), "only one of 'record' and 'alert' must be set");
  if (d.record === "" && d.alert === "") add(at(r.record) + at(r.alert), "one of 'record' or 'alert' must be set");
  if (d.expr === "") add(at(r.expr), "field 'expr' must be set in rule");
  else {
    const err = checks?.expr(d.expr) ?? null;
    if (err !== null) add(at(r.expr), `could not parse expression: ${err}`);
  }
  if (d.record !== "") {
    if (Object.keys(d.annotations).length > 0) add(at(r.record), "invalid field 'annotations' in recording rule");
    if (d.forMs !== 0) add(at(r.record), "invalid field 'for' in recording rule");
    if (d.keepFiringForMs !== 0) add(at(r.record), "invalid field 'keep_firing_for' in recording rule");
    if (!isValidName(d.record)) add(at(r.record), `invalid recording rule name: ${d.record}`);
    // A valid UTF-8 name, but usually PromQL pasted into the wrong field.
    if (d.record.includes("{") || d.record.includes("}")) {
      add(at(r.record), `braces present in the recording rule name; should it be in expr?: ${d.record}`);
    }
  }
  for (const [k, v] of Object.entries(d.labels)) {
    if (!isValidName(k) || k === "__name__") add("", `invalid label name: ${k}`);
    if (!isValidUTF8(v)) add("", `invalid label value: ${v}`);
  }
  for (const k of Object.keys(d.annotations)) if (!isValidName(k)) add("", `invalid annotation name: ${k}`);
  if (d.alert !== "" && checks !== undefined) {
    const name = `__alert_${d.alert}`;
    for (const [k, v] of Object.entries(d.labels)) {
      const err = checks.template(name, v);
      if (err !== null) add("", `label ${goQuote(k)}: ${err}`);
    }
    for (const [k, v] of Object.entries(d.annotations)) {
      const err = checks.template(name, v);
      if (err !== null) add("", `annotation ${goQuote(k)}: ${err}`);
    }
  }
  return out;
}

function validate(groups: GroupNode[], checks: RuleFileChecks | undefined): string[] {
  const errs: string[] = [];
  const names = new Set<string>();
  for (const g of groups) {
    const name = g.def.name;
    if (name === "") errs.push(`${at(g.pos)}Groupname must not be empty`);
    if (names.has(name)) errs.push(`${at(g.pos)}groupname: "${name}" is repeated in the same file`);
    for (const [k, v] of Object.entries(g.def.labels)) {
      if (!isValidName(k) || k === "__name__") errs.push(`invalid label name: ${k}`);
      if (!isValidUTF8(v)) errs.push(`invalid label value: ${v}`);
    }
    names.add(name);
    g.rules.forEach((r, i) => {
      const ruleName = r.def.alert !== "" ? r.def.alert : r.def.record;
      for (const e of validateRule(r, checks)) errs.push(`${e.where}group ${goQuote(name)}, rule ${i + 1}, ${goQuote(ruleName)}: ${e.msg}`);
    });
  }
  return errs;
}

/** go-yaml's syntax error wording, `yaml: line N: ...`. */
function syntaxError(doc: Document.Parsed, lc: LineCounter): string | null {
  const err = doc.errors[0];
  if (err === undefined) return null;
  const line = err.linePos?.[0].line ?? lc.linePos(err.pos[0]).line;
  const msg = err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").replace(/\n[\s\S]*$/, "");
  return `yaml: line ${line}: ${msg}`;
}

/** Parses and validates a rule file as Prometheus' rulefmt.Parse does. */
export function parseRuleFile(text: string, opts: RuleFileOptions = {}): ParsedRuleFile {
  // Before anything recursive sees the text: deep nesting would exhaust the stack.
  const tooDeep = yamlDepthError(text);
  if (tooDeep !== undefined) return { groups: [], errors: [tooDeep], warnings: [] };
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { version: "1.2", lineCounter: lc, uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const warnings: string[] = [];
  if (list.length > 1) warnings.push("Multiple document yaml rules files are not supported, only the first document is processed");
  const doc = list[0] as Document.Parsed | undefined;
  if (doc === undefined) return { groups: [], errors: [], warnings };
  const syntax = syntaxError(doc, lc);
  if (syntax !== null) return { groups: [], errors: [syntax], warnings };

  const decoder = new Decoder(doc, lc, !opts.ignoreUnknownFields);
  let nodes: GroupNode[];
  try {
    nodes = decoder.groups(decoder.resolve(doc.contents));
  } catch (e) {
    if (e instanceof AbortDecode) return { groups: [], errors: [e.message], warnings };
    throw e;
  }
  if (decoder.typeErrors.length > 0) {
    return { groups: [], errors: [`yaml: unmarshal errors:\n  ${decoder.typeErrors.join("\n  ")}`], warnings };
  }
  const errors = validate(nodes, opts.checks);
  return { groups: errors.length > 0 ? [] : nodes.map((n) => n.def), errors, warnings };
}

/** promtool's duplicate-rules lint: rules whose name and labels (group labels merged
 * with rule labels) appear more than once in a file. */
export function duplicateRules(groups: readonly RuleGroupDef[]): { metric: string; labels: [string, string][] }[] {
  const all = groups.flatMap((g) =>
    g.rules.map((r) => {
      const merged: Record<string, string> = { ...g.labels, ...r.labels };
      const labels = Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return { metric: r.alert !== "" ? r.alert : r.record, labels };
    }),
  );
  const key = (x: { metric: string; labels: [string, string][] }) => JSON.stringify([x.metric, x.labels]);
  const cmp = (a: (typeof all)[number], b: (typeof all)[number]): number => {
    if (a.metric !== b.metric) return a.metric < b.metric ? -1 : 1;
    const n = Math.min(a.labels.length, b.labels.length);
    for (let i = 0; i < n; i++) {
      const [an, av] = a.labels[i]!;
      const [bn, bv] = b.labels[i]!;
      if (an !== bn) return an < bn ? -1 : 1;
      if (av !== bv) return av < bv ? -1 : 1;
    }
    return a.labels.length - b.labels.length;
  };
  all.sort(cmp);
  const dups: typeof all = [];
  for (let i = 1; i < all.length; i++) {
    if (key(all[i - 1]!) !== key(all[i]!)) continue;
    if (dups.length === 0 || key(dups[dups.length - 1]!) !== key(all[i]!)) dups.push(all[i]!);
  }
  return dups;
}
