/**
 * The text/template parser (text/template/parse/parse.go): three-token lookahead over the
 * lexer, variables checked at parse time, functions checked against the function map,
 * {{define}}/{{block}} trees collected into one set. Error messages and the line they
 * name follow Go, since `promtool check rules` users see them.
 */
import { TemplateError } from "./errors.js";
import { type Item, Lexer, T, itemString } from "./lexer.js";
import {
  type ActionNode,
  type BranchNode,
  type CommandNode,
  type ElseNode,
  type EndNode,
  type ListNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type Source,
  type TemplateNode,
  type VariableNode,
  isEmptyTree,
  nodeString,
} from "./nodes.js";
import { ErrSyntax, quote, unquote, unquoteChar } from "../../model/quote.js";
import { parseComplex, parseFloat64, parseInt0, parseUint0 } from "./strconv.js";

export interface Tree {
  readonly name: string;
  readonly root: ListNode;
}

/** The templates one parse defines, by name. */
export type TreeSet = Map<string, Tree>;

/** Go uses 1000 for nested parentheses on constrained (wasm) targets; so do Workers. */
const MAX_STACK_DEPTH = 1000;

class Parser {
  name: string;
  root: ListNode | null = null;
  private readonly token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = ["$"];
  private actionLine = 0;
  private rangeDepth = 0;
  private stackDepth = 0;

  constructor(
    name: string,
    private readonly src: Source,
    private readonly lex: Lexer,
    private readonly treeSet: TreeSet,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.name = name;
  }

  // --- token buffer ---

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount]!;
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.typ === T.Space);
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // --- errors ---

  errorf(msg: string): never {
    this.root = null;
    const line = this.token[0]?.line ?? 1;
    throw new TemplateError(`template: ${this.src.parseName}:${line}: ${msg}`);
  }

  private expect(expected: T, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(e1: T, e2: T, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== e1 && token.typ !== e2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === T.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.src.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  // --- trees ---

  private add(): void {
    const tree = this.treeSet.get(this.name);
    if (tree === undefined || isEmptyTree(tree.root)) {
      this.treeSet.set(this.name, { name: this.name, root: this.root! });
      return;
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${quote(this.name)}`);
  }

  private subParser(name: string): Parser {
    return new Parser(name, this.src, this.lex, this.treeSet, this.hasFunction);
  }

  parse(): void {
    const root = this.newList(this.peek().pos);
    this.root = root;
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === T.Define) {
          this.subParser("definition").parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    this.add();
  }

  private parseDefinition(): void {
    const context = "define clause";
    const name = this.expectOneOf(T.String, T.RawString, context);
    this.name = this.unquoteOrFail(name.val);
    this.expect(T.RightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  private unquoteOrFail(s: string): string {
    try {
      return unquote(s);
    } catch (e) {
      if (e instanceof ErrSyntax) this.errorf(e.message);
      throw e;
    }
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Text:
        return { type: "text", pos: token.pos, src: this.src, text: token.val };
      case T.LeftDelim: {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case T.Comment:
        return { type: "comment", pos: token.pos, src: this.src, text: token.val };
      default:
        this.unexpected(token, "input");
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Block:
        return this.blockControl();
      case T.Break:
        return this.breakControl(token);
      case T.Continue:
        return this.continueControl(token);
      case T.Else:
        return this.elseControl();
      case T.End:
        return this.endControl();
      case T.If:
        return this.branch("if");
      case T.Range:
        return this.branch("range");
      case T.Template:
        return this.templateControl();
      case T.With:
        return this.branch("with");
    }
    this.backup();
    const first = this.peek();
    const action: ActionNode = { type: "action", pos: first.pos, src: this.src, pipe: this.pipeline("command", T.RightDelim) };
    return action;
  }

  private breakControl(token: Item): Node {
    const t = this.nextNonSpace();
    if (t.typ !== T.RightDelim) this.unexpected(t, "{{break}}");
    if (this.rangeDepth === 0) this.errorf("{{break}} outside {{range}}");
    return { type: "break", pos: token.pos, src: this.src };
  }

  private continueControl(token: Item): Node {
    const t = this.nextNonSpace();
    if (t.typ !== T.RightDelim) this.unexpected(t, "{{continue}}");
    if (this.rangeDepth === 0) this.errorf("{{continue}} outside {{range}}");
    return { type: "continue", pos: token.pos, src: this.src };
  }

  private pipeline(context: string, end: T): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = { type: "pipe", pos: token.pos, src: this.src, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== T.Variable) break;
      this.next();
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === T.Assign || next.typ === T.Declare) {
        pipe.isAssign = next.typ === T.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === T.Char && next.val === ",") {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
          this.errorf("range can only initialize variables");
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.typ === T.Space) this.backup3(v, tokenAfterVariable);
      else this.backup2(v);
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.typ) {
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]!.type;
      if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private parseControl(context: "if" | "range" | "with"): [PipeNode, ListNode, ListNode | null] {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === "range") this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === "else") {
        if (context === "if" && this.peek().typ === T.If) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branch("if"));
        } else if (context === "with" && this.peek().typ === T.With) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branch("with"));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== "end") this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return [pipe, list, elseList];
    } finally {
      this.vars.length = mark;
    }
  }

  private branch(context: "if" | "range" | "with"): BranchNode {
    const [pipe, list, elseList] = this.parseControl(context);
    return { type: context, pos: pipe.pos, src: this.src, pipe, list, elseList };
  }

  private endControl(): EndNode {
    return { type: "end", pos: this.expect(T.RightDelim, "end").pos, src: this.src };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    if (peek.typ === T.If || peek.typ === T.With) return { type: "else", pos: peek.pos, src: this.src };
    const token = this.expect(T.RightDelim, "else");
    return { type: "else", pos: token.pos, src: this.src };
  }

  private blockControl(): TemplateNode {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const block = this.subParser(name);
    const [list, end] = block.itemList();
    block.root = list;
    if (end.type !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    return { type: "template", pos: token.pos, src: this.src, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { type: "template", pos: token.pos, src: this.src, name, pipe };
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === T.String || token.typ === T.RawString) return this.unquoteOrFail(token.val);
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, src: this.src, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === T.Space) continue;
      if (token.typ === T.RightDelim || token.typ === T.RightParen) this.backup();
      else if (token.typ !== T.Pipe) this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  private operand(): Node | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().typ !== T.Field) return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().typ === T.Field) fields.push(this.next().val.slice(1));
    const chainText = nodeString(node) + fields.map((f) => "." + f).join("");
    switch (node.type) {
      case "field":
        return { type: "field", pos, src: this.src, ident: chainText.slice(1).split(".") };
      case "variable":
        return { type: "variable", pos, src: this.src, ident: chainText.split(".") };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
      default:
        return { type: "chain", pos, src: this.src, node, field: fields };
    }
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${quote(token.val)} not defined`);
        return { type: "identifier", pos: token.pos, src: this.src, ident: token.val };
      case T.Dot:
        return { type: "dot", pos: token.pos, src: this.src };
      case T.Nil:
        return { type: "nil", pos: token.pos, src: this.src };
      case T.Variable:
        return this.useVar(token.pos, token.val);
      case T.Field:
        return { type: "field", pos: token.pos, src: this.src, ident: token.val.slice(1).split(".") };
      case T.Bool:
        return { type: "bool", pos: token.pos, src: this.src, value: token.val === "true" };
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.newNumber(token);
      case T.LeftParen: {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf("max expression depth exceeded");
        this.stackDepth++;
        try {
          return this.pipeline("parenthesized pipeline", T.RightParen);
        } finally {
          this.stackDepth--;
        }
      }
      case T.String:
      case T.RawString:
        return { type: "string", pos: token.pos, src: this.src, quoted: token.val, text: this.unquoteOrFail(token.val) };
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${quote(v.ident[0]!)}`);
    return v;
  }

  private newVariable(pos: number, ident: string): VariableNode {
    return { type: "variable", pos, src: this.src, ident: ident.split(".") };
  }

  private newList(pos: number): ListNode {
    return { type: "list", pos, src: this.src, nodes: [] };
  }

  /** NumberNode: the literal under every Go type that can hold it (ideal constants). */
  private newNumber(token: Item): NumberNode {
    const text = token.val;
    const n: NumberNode = {
      type: "number",
      pos: token.pos,
      src: this.src,
      text,
      isInt: false,
      isUint: false,
      isFloat: false,
      isComplex: false,
      int64: 0n,
      uint64: 0n,
      float64: 0,
      complex128: { re: 0, im: 0 },
    };
    if (token.typ === T.CharConstant) {
      let r: { value: number; tail: string };
      try {
        r = unquoteChar(text.slice(1), "'");
      } catch (e) {
        if (e instanceof ErrSyntax) this.errorf(e.message);
        throw e;
      }
      if (r.tail !== "'") this.errorf(`malformed character constant: ${text}`);
      n.int64 = n.uint64 = BigInt(r.value);
      n.float64 = r.value;
      n.isInt = n.isUint = n.isFloat = true;
      return n;
    }
    if (token.typ === T.Complex) {
      try {
        n.complex128 = parseComplex(text);
      } catch (e) {
        this.errorf((e as Error).message);
      }
      n.isComplex = true;
      simplifyComplex(n);
      return n;
    }
    if (text.endsWith("i")) {
      const f = tryFloat(text.slice(0, -1));
      if (f !== null) {
        n.isComplex = true;
        n.complex128 = { re: 0, im: f };
        simplifyComplex(n);
        return n;
      }
    }
    let u: bigint | null = null;
    try {
      u = parseUint0(text);
      n.isUint = true;
      n.uint64 = u;
    } catch {
      // not an unsigned integer
    }
    try {
      const i = parseInt0(text);
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true;
        n.uint64 = u ?? 0n;
      }
    } catch {
      // not a signed integer
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = tryFloat(text);
      if (f !== null) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${quote(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (fitsInt64(f)) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (fitsUint64(f)) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${quote(text)}`);
    return n;
  }
}

function tryFloat(s: string): number | null {
  try {
    return parseFloat64(s);
  } catch {
    return null;
  }
}

function fitsInt64(f: number): boolean {
  return Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63;
}

function fitsUint64(f: number): boolean {
  return Number.isInteger(f) && f >= 0 && f < 2 ** 64;
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.complex128.im === 0;
  if (n.isFloat) {
    const f = n.complex128.re;
    n.float64 = f;
    n.isInt = fitsInt64(f);
    if (n.isInt) n.int64 = BigInt(f);
    n.isUint = fitsUint64(f);
    if (n.isUint) n.uint64 = BigInt(f);
  }
}

/**
 * Parses a template the way text/template.New(name).Funcs(...).Parse(text) does: the
 * returned set holds the top-level template under `name` and every {{define}}d one.
 * Throws TemplateError with Go's message.
 */
export function parseTrees(name: string, text: string, hasFunction: (name: string) => boolean): TreeSet {
  const treeSet: TreeSet = new Map();
  const src: Source = { parseName: name, text };
  new Parser(name, src, new Lexer(text), treeSet, hasFunction).parse();
  return treeSet;
}
