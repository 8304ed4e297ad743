/**
 * Execution of a parsed template (text/template/exec.go): the walk over the tree, pipeline
 * and command evaluation, field and method access, argument conversion to the called
 * function's parameter types, and Go's execution errors
 * (`template: name:1:5: executing "name" at <.Foo>: ...`).
 *
 * Functions may be asynchronous (`query` runs PromQL), so evaluation is async throughout.
 * Map access uses missingkey=zero, the option Prometheus sets.
 */
import { FuncError, TemplateError } from "./errors.js";
import { GoPanic, NIL_DEREF, sprint } from "./fmt.js";
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from "./nodes.js";
import { errorContext, nodeString } from "./nodes.js";
import type { TreeSet } from "./parser.js";
import { quote } from "../../model/quote.js";
import {
  BOOL,
  COMPLEX128,
  type Complex,
  FLOAT64,
  GoType,
  GoValue,
  type GoMethod,
  type GoPtr,
  type GoSlice,
  INT,
  STRING,
  type Value,
  assignable,
  canBeNil,
  compareStrings,
  isIntKind,
  isUintKind,
  zero,
} from "./values.js";

/** The parameter type of builtins that take any value untouched (Go's reflect.Value). */
export const REFLECT_VALUE = new GoType("struct", "reflect.Value", true);

/** A template function: typed parameters, one result; errors are thrown as FuncError. */
export interface GoFunc {
  readonly params: readonly GoType[];
  /** The element type of a final ...T parameter. */
  readonly variadic?: GoType;
  readonly call: (args: Value[]) => Value | Promise<Value>;
}

export type FuncMap = ReadonlyMap<string, GoFunc>;

/** Go allows 100000 nested template calls, 1000 on constrained (wasm) targets; Workers are one. */
export const MAX_EXEC_DEPTH = 1000;

/**
 * Go has no bound on the work a template does, but `{{range (toDuration 60)}}` iterates
 * sixty billion times and an isolate has a CPU budget shared by the whole rule group.
 * One million node visits is about half a second and far beyond any real alert template.
 */
export const MAX_EXEC_OPS = 1_000_000;

const MISSING = Symbol("missing");
type Final = Value | typeof MISSING;

const enum Signal {
  None,
  Break,
  Continue,
}

interface Variable {
  readonly name: string;
  value: Value;
}

interface Shared {
  ops: number;
  readonly out: string[];
  readonly funcs: FuncMap;
  readonly builtins: FuncMap;
  readonly trees: TreeSet;
}

/** indirect: through pointers and interfaces; isNil when it stops at a nil one. */
function indirect(v: Value): [Value, boolean] {
  while (v !== null && (v.type.kind === "ptr" || v.type.kind === "interface")) {
    if (v.v === null) return [v, true];
    v = v.type.kind === "ptr" ? (v.v as GoPtr).ref : (v.v as GoValue);
  }
  return [v, false];
}

/** The dynamic value of an interface, or the invalid value for a nil one. */
export function indirectInterface(v: Value): Value {
  if (v === null || v.type.kind !== "interface") return v;
  return v.v as Value;
}

/** Go's isTrue: not the zero value of its type; every kind templates meet has a truth. */
export function isTrue(v: Value): boolean {
  if (v === null) return false;
  switch (v.type.kind) {
    case "map": {
      const m = v.v as Map<string, GoValue> | null;
      return m !== null && m.size > 0;
    }
    case "slice": {
      const s = v.v as GoSlice | null;
      return s !== null && s.len > 0;
    }
    case "string":
      return (v.v as string).length > 0;
    case "bool":
      return v.v as boolean;
    case "complex128": {
      const c = v.v as Complex;
      return c.re !== 0 || c.im !== 0;
    }
    case "ptr":
    case "interface":
      return v.v !== null;
    case "float64":
      return (v.v as number) !== 0;
    case "struct":
      return true;
    default:
      return (v.v as bigint) !== 0n;
  }
}

/** What text/template prints for a value (printableValue, then fmt.Fprint). */
export function printable(v: Value): string {
  if (v !== null && v.type.kind === "ptr") v = indirect(v)[0];
  if (v === null) return "<no value>";
  return sprint([v]);
}

class State {
  node: Node | null = null;
  private vars: Variable[];

  constructor(
    private readonly shared: Shared,
    private readonly tmplName: string,
    dot: Value,
    private readonly depth: number,
  ) {
    this.vars = [{ name: "$", value: dot }];
  }

  // --- variables ---

  private push(name: string, value: Value): void {
    this.vars.push({ name, value });
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: Value): void {
    this.vars[this.vars.length - n]!.value = value;
  }

  private varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  private at(node: Node): void {
    this.node = node;
  }

  errorf(msg: string): never {
    if (this.node === null) throw new TemplateError(`template: ${this.tmplName}: ${msg}`);
    const { location, context } = errorContext(this.node);
    throw new TemplateError(`template: ${location}: executing ${quote(this.tmplName)} at <${context}>: ${msg}`);
  }

  private countOp(): void {
    if (++this.shared.ops > MAX_EXEC_OPS) this.errorf(`exceeded maximum template operations (${MAX_EXEC_OPS})`);
  }

  // --- walk ---

  async walk(dot: Value, node: Node): Promise<Signal> {
    this.countOp();
    this.at(node);
    switch (node.type) {
      case "action": {
        const val = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return Signal.None;
      }
      case "break":
        return Signal.Break;
      case "comment":
        return Signal.None;
      case "continue":
        return Signal.Continue;
      case "if":
      case "with":
        return this.walkIfOrWith(node, dot);
      case "list":
        return this.walkList(dot, node);
      case "range":
        return this.walkRange(dot, node);
      case "template":
        await this.walkTemplate(dot, node);
        return Signal.None;
      case "text":
        this.shared.out.push(node.text);
        return Signal.None;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private async walkList(dot: Value, list: ListNode): Promise<Signal> {
    for (const n of list.nodes) {
      const sig = await this.walk(dot, n);
      if (sig !== Signal.None) return sig;
    }
    return Signal.None;
  }

  private async walkIfOrWith(node: BranchNode, dot: Value): Promise<Signal> {
    const mark = this.mark();
    try {
      const val = await this.evalPipeline(dot, node.pipe);
      if (isTrue(indirectInterface(val))) {
        return await this.walk(node.type === "with" ? val : dot, node.list);
      }
      if (node.elseList !== null) return await this.walk(dot, node.elseList);
      return Signal.None;
    } finally {
      this.pop(mark);
    }
  }

  private async walkRange(dot: Value, r: BranchNode): Promise<Signal> {
    this.at(r);
    const outer = this.mark();
    try {
      const val = indirect(await this.evalPipeline(dot, r.pipe))[0];
      const mark = this.mark();
      const decl = r.pipe.decl;
      // One iteration; returns true when the loop must stop ({{break}}).
      const oneIteration = async (index: Value, elem: Value): Promise<boolean> => {
        if (this.shared.ops + 1 > MAX_EXEC_OPS) this.at(r);
        this.countOp();
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          return (await this.walk(elem, r.list)) === Signal.Break;
        } finally {
          this.pop(mark);
        }
      };
      let ran = false;
      if (val !== null) {
        const k = val.type.kind;
        if (isIntKind(k) || isUintKind(k)) {
          if (decl.length > 1) this.errorf(`can't use ${sprint([val])} to iterate over more than one variable`);
          const n = val.v as bigint;
          for (let i = 0n; i < n; i++) {
            ran = true;
            if (await oneIteration(null, new GoValue(val.type, i))) break;
          }
        } else if (k === "slice") {
          const s = val.v as GoSlice | null;
          const n = s === null ? 0 : s.len;
          for (let i = 0; i < n; i++) {
            ran = true;
            if (await oneIteration(new GoValue(INT, BigInt(i)), s!.arr[s!.off + i]!)) break;
          }
        } else if (k === "map") {
          const m = val.v as Map<string, GoValue> | null;
          const keys = m === null ? [] : [...m.keys()].sort(compareStrings);
          for (const key of keys) {
            ran = true;
            if (await oneIteration(new GoValue(val.type.key!, key), m!.get(key)!)) break;
          }
        } else this.errorf(`range can't iterate over ${sprint([val])}`);
      }
      if (!ran && r.elseList !== null) return await this.walk(dot, r.elseList);
      return Signal.None;
    } finally {
      this.pop(outer);
    }
  }

  private async walkTemplate(dot: Value, t: TemplateNode): Promise<void> {
    this.at(t);
    const tree = this.shared.trees.get(t.name);
    if (tree === undefined) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth === MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = await this.evalPipeline(dot, t.pipe);
    const s = new State(this.shared, t.name, newDot, this.depth + 1);
    await s.walk(newDot, tree.root);
  }

  // --- evaluation ---

  async evalPipeline(dot: Value, pipe: PipeNode | null): Promise<Value> {
    if (pipe === null) return null;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = await this.evalCommand(dot, cmd, value);
      if (value !== null && value.type.kind === "interface") value = value.v as Value;
    }
    const result = value === MISSING ? null : value;
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, result);
      else this.push(v.ident[0]!, result);
    }
    return result;
  }

  private notAFunction(args: readonly Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private async evalCommand(dot: Value, cmd: CommandNode, final: Final): Promise<Value> {
    const first = cmd.args[0]!;
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return new GoValue(BOOL, first.value);
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return new GoValue(STRING, first.text);
    }
    this.errorf(`can't evaluate command ${quote(nodeString(first))}`);
  }

  private idealConstant(c: NumberNode): Value {
    this.at(c);
    if (c.isComplex) return new GoValue(COMPLEX128, c.complex128);
    const isHexInt = c.text.length > 2 && c.text[0] === "0" && (c.text[1] === "x" || c.text[1] === "X") && !/[pP]/.test(c.text);
    const isRuneInt = c.text[0] === "'";
    if (c.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(c.text)) return new GoValue(FLOAT64, c.float64);
    if (c.isInt) return new GoValue(INT, c.int64);
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return null;
  }

  private evalFieldNode(dot: Value, field: FieldNode, args: readonly Node[] | null, final: Final): Promise<Value> {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private async evalChainNode(dot: Value, chain: ChainNode, args: readonly Node[] | null, final: Final): Promise<Value> {
    this.at(chain);
    if (chain.field.length === 0) this.errorf("internal error: no fields in evalChainNode");
    if (chain.node.type === "nil") this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = await this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: Value, variable: VariableNode, args: readonly Node[] | null, final: Final): Promise<Value> {
    this.at(variable);
    const value = this.varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.notAFunction(args ?? [variable], final);
      return Promise.resolve(value);
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private async evalFieldChain(
    dot: Value,
    receiver: Value,
    node: Node,
    ident: readonly string[],
    args: readonly Node[] | null,
    final: Final,
  ): Promise<Value> {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = await this.evalField(dot, ident[i]!, node, null, MISSING, receiver);
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private async evalFunction(
    dot: Value,
    node: IdentifierNode,
    cmd: Node,
    args: readonly Node[] | null,
    final: Final,
  ): Promise<Value> {
    this.at(node);
    const name = node.ident;
    const own = this.shared.funcs.get(name);
    const fn = own ?? this.shared.builtins.get(name);
    if (fn === undefined) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, own === undefined, cmd, name, args, final);
  }

  private async evalField(
    dot: Value,
    fieldName: string,
    node: Node,
    args: readonly Node[] | null,
    final: Final,
    receiverIn: Value,
  ): Promise<Value> {
    if (receiverIn === null) return null;
    const typ = receiverIn.type;
    const [receiver, isNil] = indirect(receiverIn);
    if (receiver!.type.kind === "interface" && isNil) this.errorf(`nil pointer evaluating ${typ.name}.${fieldName}`);
    const r = receiver!;
    const method = r.type.method(fieldName);
    if (method !== undefined) return this.evalCall(dot, boundMethod(r, method), false, node, fieldName, args, final);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    switch (r.type.kind) {
      case "struct": {
        const i = r.type.fields.findIndex((f) => f.name === fieldName);
        if (i >= 0) {
          if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
          return (r.v as GoValue[])[i]!;
        }
        break;
      }
      case "map": {
        if (r.type.key!.kind !== "string") break;
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        const m = r.v as Map<string, GoValue> | null;
        return m?.get(fieldName) ?? zero(r.type.elem!);
      }
      case "ptr": {
        const etyp = r.type.elem!;
        if (etyp.kind === "struct" && !etyp.fields.some((f) => f.name === fieldName)) break;
        if (isNil) this.errorf(`nil pointer evaluating ${typ.name}.${fieldName}`);
      }
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ.name}`);
  }

  private async evalCall(
    dot: Value,
    fun: GoFunc,
    isBuiltin: boolean,
    node: Node,
    name: string,
    argNodes: readonly Node[] | null,
    final: Final,
  ): Promise<Value> {
    const args = argNodes === null ? [] : argNodes.slice(1);
    let numIn = args.length;
    if (final !== MISSING) numIn++;
    const typNumIn = fun.params.length + (fun.variadic ? 1 : 0);
    let numFixed = args.length;
    if (fun.variadic) {
      numFixed = typNumIn - 1;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${typNumIn - 1} got ${args.length}`);
    } else if (numIn !== typNumIn) this.errorf(`wrong number of args for ${name}: want ${typNumIn} got ${numIn}`);

    if (isBuiltin && (name === "and" || name === "or")) {
      let v: Value = null;
      for (const arg of args) {
        v = await this.evalArg(dot, REFLECT_VALUE, arg);
        if (isTrue(indirectInterface(v)) === (name === "or")) return v;
      }
      if (final !== MISSING) v = this.validateType(final, REFLECT_VALUE);
      return v;
    }

    const argv: Value[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(await this.evalArg(dot, fun.params[i]!, args[i]!));
    if (fun.variadic) for (; i < args.length; i++) argv.push(await this.evalArg(dot, fun.variadic, args[i]!));
    if (final !== MISSING) {
      let t = fun.variadic ?? fun.params[fun.params.length - 1]!;
      if (fun.variadic && numIn - 1 < numFixed) t = fun.params[numIn - 1]!;
      argv.push(this.validateType(final, t));
    }
    if (isBuiltin && name === "call") {
      // The callee's name for errors: the argument's text, or reflect.Value.String of the piped value.
      let callee: string;
      if (args.length > 0) callee = nodeString(args[0]!);
      else if (final === MISSING || final === null) callee = "<invalid Value>";
      else callee = final.type.kind === "string" ? (final.v as string) : `<${final.type.name} Value>`;
      argv.unshift(new GoValue(STRING, callee));
    }
    try {
      return await fun.call(argv);
    } catch (e) {
      if (e instanceof FuncError || e instanceof GoPanic) {
        this.at(node);
        this.errorf(`error calling ${name}: ${e.message}`);
      }
      throw e;
    }
  }

  private validateType(value: Value, typ: GoType | null): Value {
    if (value === null) {
      if (typ === null || typ === REFLECT_VALUE) return null;
      if (canBeNil(typ)) return zero(typ);
      this.errorf(`invalid value; expected ${typ.name}`);
    }
    if (typ === REFLECT_VALUE) return value;
    if (typ !== null && !assignable(value.type, typ)) {
      if (value.type.kind === "interface" && value.v !== null) {
        value = value.v as GoValue;
        if (assignable(value.type, typ)) return value;
      }
      if (value.type.kind === "ptr" && assignable(value.type.elem!, typ)) {
        const p = value.v as GoPtr | null;
        if (p === null) this.errorf(`dereference of nil pointer of type ${typ.name}`);
        return p.ref;
      }
      this.errorf(`wrong type for value; expected ${typ.name}; got ${value.type.name}`);
    }
    return value;
  }

  private async evalArg(dot: Value, typ: GoType | null, n: Node): Promise<Value> {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, typ);
      case "nil":
        if (typ === null || typ === REFLECT_VALUE) return null;
        if (canBeNil(typ)) return zero(typ);
        this.errorf(`cannot assign nil to ${typ.name}`);
      case "field":
        return this.validateType(await this.evalFieldNode(dot, n, [n], MISSING), typ);
      case "variable":
        return this.validateType(await this.evalVariableNode(dot, n, null, MISSING), typ);
      case "pipe":
        return this.validateType(await this.evalPipeline(dot, n), typ);
      case "identifier":
        return this.validateType(await this.evalFunction(dot, n, n, null, MISSING), typ);
      case "chain":
        return this.validateType(await this.evalChainNode(dot, n, null, MISSING), typ);
    }
    if (typ === null || typ === REFLECT_VALUE || typ.kind === "interface") return this.evalEmptyInterface(dot, n);
    switch (typ.kind) {
      case "bool":
        if (n.type === "bool") return new GoValue(typ, n.value);
        this.errorf(`expected bool; found ${nodeString(n)}`);
      case "complex128":
        if (n.type === "number" && n.isComplex) return new GoValue(typ, n.complex128);
        this.errorf(`expected complex; found ${nodeString(n)}`);
      case "float64":
        if (n.type === "number" && n.isFloat) return new GoValue(typ, n.float64);
        this.errorf(`expected float; found ${nodeString(n)}`);
      case "int":
      case "int64":
        if (n.type === "number" && n.isInt) return new GoValue(typ, n.int64);
        this.errorf(`expected integer; found ${nodeString(n)}`);
      case "string":
        if (n.type === "string") return new GoValue(typ, n.text);
        this.errorf(`expected string; found ${nodeString(n)}`);
      case "uint":
      case "uint8":
      case "uint64":
        if (n.type === "number" && n.isUint) return new GoValue(typ, n.uint64);
        this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ.name}`);
  }

  private evalEmptyInterface(dot: Value, n: Node): Value | Promise<Value> {
    this.at(n);
    switch (n.type) {
      case "bool":
        return new GoValue(BOOL, n.value);
      case "dot":
        return dot;
      case "field":
        return this.evalFieldNode(dot, n, null, MISSING);
      case "identifier":
        return this.evalFunction(dot, n, n, null, MISSING);
      case "nil":
        this.errorf("evalEmptyInterface: nil (can't happen)");
      case "number":
        return this.idealConstant(n);
      case "string":
        return new GoValue(STRING, n.text);
      case "variable":
        return this.evalVariableNode(dot, n, null, MISSING);
      case "pipe":
        return this.evalPipeline(dot, n);
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }

  private printValue(n: Node, v: Value): void {
    this.at(n);
    this.shared.out.push(printable(v));
  }
}

/** A method value with its receiver bound; through a nil pointer the call panics, as in Go. */
function boundMethod(recv: GoValue, m: GoMethod): GoFunc {
  return {
    params: m.params,
    call: (args) => {
      let r = recv;
      if (r.type.kind === "ptr") {
        const p = r.v as GoPtr | null;
        if (p === null) throw new GoPanic(NIL_DEREF);
        r = p.ref;
      }
      return m.call(r, args as GoValue[]);
    },
  };
}

export interface ExecTemplate {
  readonly name: string;
  readonly trees: TreeSet;
}

/** Template.Execute: runs the named template of the set with `data` as dot and $. */
export async function execute(t: ExecTemplate, data: Value, funcs: FuncMap, builtins: FuncMap): Promise<string> {
  const out: string[] = [];
  const tree = t.trees.get(t.name);
  const state = new State({ ops: 0, out, funcs, builtins, trees: t.trees }, t.name, data, 0);
  if (tree === undefined) return state.errorf(`${quote(t.name)} is an incomplete or empty template`);
  await state.walk(data, tree.root);
  return out.join("");
}
