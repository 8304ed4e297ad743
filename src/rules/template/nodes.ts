/**
 * The parse tree of text/template (text/template/parse/node.go). Nodes print themselves
 * the way Go's do, because execution errors quote the node they fail at:
 * `executing "x" at <.Labels.foo>`.
 */
import type { Complex } from "./values.js";
import { quote } from "../../model/quote.js";

/** The text a node came from and the name errors give it (Tree.ParseName). */
export interface Source {
  readonly parseName: string;
  readonly text: string;
}

interface Base {
  readonly pos: number;
  readonly src: Source;
}

export interface ListNode extends Base {
  readonly type: "list";
  readonly nodes: Node[];
}
export interface TextNode extends Base {
  readonly type: "text";
  readonly text: string;
}
export interface CommentNode extends Base {
  readonly type: "comment";
  readonly text: string;
}
export interface PipeNode extends Base {
  readonly type: "pipe";
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface ActionNode extends Base {
  readonly type: "action";
  readonly pipe: PipeNode;
}
export interface CommandNode extends Base {
  readonly type: "command";
  readonly args: Node[];
}
export interface IdentifierNode extends Base {
  readonly type: "identifier";
  readonly ident: string;
}
export interface VariableNode extends Base {
  readonly type: "variable";
  readonly ident: string[];
}
export interface DotNode extends Base {
  readonly type: "dot";
}
export interface NilNode extends Base {
  readonly type: "nil";
}
export interface FieldNode extends Base {
  readonly type: "field";
  readonly ident: string[];
}
export interface ChainNode extends Base {
  readonly type: "chain";
  readonly node: Node;
  readonly field: string[];
}
export interface BoolNode extends Base {
  readonly type: "bool";
  readonly value: boolean;
}
export interface NumberNode extends Base {
  readonly type: "number";
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  complex128: Complex;
  readonly text: string;
}
export interface StringNode extends Base {
  readonly type: "string";
  readonly quoted: string;
  readonly text: string;
}
export interface EndNode extends Base {
  readonly type: "end";
}
export interface ElseNode extends Base {
  readonly type: "else";
}
export interface BranchNode extends Base {
  readonly type: "if" | "range" | "with";
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}
export interface BreakNode extends Base {
  readonly type: "break";
}
export interface ContinueNode extends Base {
  readonly type: "continue";
}
export interface TemplateNode extends Base {
  readonly type: "template";
  readonly name: string;
  readonly pipe: PipeNode | null;
}

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | PipeNode
  | ActionNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode
  | BranchNode
  | BreakNode
  | ContinueNode
  | TemplateNode;

/** Node.String() in Go. */
export function nodeString(n: Node): string {
  switch (n.type) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return n.text;
    case "comment":
      return "{{" + n.text + "}}";
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(", ") + " := ";
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "action":
      return "{{" + nodeString(n.pipe) + "}}";
    case "command":
      return n.args.map((a) => (a.type === "pipe" ? "(" + nodeString(a) + ")" : nodeString(a))).join(" ");
    case "identifier":
      return n.ident;
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return n.ident.map((i) => "." + i).join("");
    case "chain":
      return (n.node.type === "pipe" ? "(" + nodeString(n.node) + ")" : nodeString(n.node)) + n.field.map((f) => "." + f).join("");
    case "bool":
      return n.value ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "end":
      return "{{end}}";
    case "else":
      return "{{else}}";
    case "if":
    case "range":
    case "with":
      return (
        "{{" +
        n.type +
        " " +
        nodeString(n.pipe) +
        "}}" +
        nodeString(n.list) +
        (n.elseList ? "{{else}}" + nodeString(n.elseList) : "") +
        "{{end}}"
      );
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "template":
      return "{{template " + quote(n.name) + (n.pipe ? " " + nodeString(n.pipe) : "") + "}}";
  }
}

/** Tree.ErrorContext: "name:line:col" with the column in bytes, and the node's text. */
export function errorContext(n: Node): { location: string; context: string } {
  const text = n.src.text.slice(0, n.pos);
  const nl = text.lastIndexOf("\n");
  const col = utf8Len(nl === -1 ? text : text.slice(nl + 1));
  let line = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return { location: `${n.src.parseName}:${line}:${col}`, context: nodeString(n) };
}

function utf8Len(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Whether a tree holds nothing but space and comments (parse.IsEmptyTree). */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.type) {
    case "comment":
      return true;
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(n.text);
    default:
      return false;
  }
}
