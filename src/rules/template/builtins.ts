/**
 * text/template's predefined functions (text/template/funcs.go): and, or, not, len, index,
 * slice, print, printf, println, html, js, urlquery, call and the comparisons, with
 * Go's errors ("incompatible types for comparison: float64 and int", "index out of
 * range: 3", ...).
 */
import { FuncError } from "./errors.js";
import { type FuncMap, type GoFunc, REFLECT_VALUE, indirectInterface, isTrue } from "./exec.js";
import { GoPanic, concrete, sprint, sprintf, sprintln } from "./fmt.js";
import { queryEscape } from "./netutil.js";
import {
  ANY,
  BOOL,
  type Complex,
  GoValue,
  type GoPtr,
  type GoSlice,
  INT,
  STRING,
  UINT8,
  type Value,
  assignable,
  byteLength,
  fromUtf8,
  isIntKind,
  isNilValue,
  isUintKind,
  utf8Bytes,
  zero,
} from "./values.js";

const R = REFLECT_VALUE;

function fn(params: GoFunc["params"], call: GoFunc["call"], variadic?: GoFunc["variadic"]): GoFunc {
  return variadic ? { params, call, variadic } : { params, call };
}

/** indirect through pointers only, as funcs.go's callers expect; isNil at a nil one. */
function indirect(v: Value): [Value, boolean] {
  while (v !== null && (v.type.kind === "ptr" || v.type.kind === "interface")) {
    if (v.v === null) return [v, true];
    v = v.type.kind === "ptr" ? (v.v as GoPtr).ref : (v.v as GoValue);
  }
  return [v, false];
}

function truth(v: Value): boolean {
  return isTrue(indirectInterface(v));
}

// Comparison.

type BasicKind = "invalid" | "bool" | "complex" | "int" | "float" | "string" | "uint";

function basicKind(v: Value): BasicKind {
  if (v === null) return "invalid";
  const k = v.type.kind;
  if (k === "bool") return "bool";
  if (isIntKind(k)) return "int";
  if (isUintKind(k)) return "uint";
  if (k === "float64") return "float";
  if (k === "complex128") return "complex";
  if (k === "string") return "string";
  return "invalid";
}

const typeName = (v: Value): string => (v === null ? "<nil>" : v.type.name);

function isNil(v: Value): boolean {
  return v === null || isNilValue(v);
}

function canCompare(a: Value, b: Value): boolean {
  if (a === null || b === null) return true;
  return a.type.kind === b.type.kind;
}

function comparable(v: GoValue): boolean {
  return v.type.kind !== "map" && v.type.kind !== "slice";
}

/** Go's == on two values of one non-basic type: pointers by identity, structs by fields. */
function sameValue(a: GoValue, b: GoValue): boolean {
  if (a.type.name !== b.type.name) return false;
  switch (a.type.kind) {
    case "ptr":
      return a.v === b.v || (a.v !== null && b.v !== null && (a.v as GoPtr).ref === (b.v as GoPtr).ref);
    case "interface": {
      const x = a.v as Value;
      const y = b.v as Value;
      if (x === null || y === null) return x === y;
      return basicKind(x) !== "invalid" ? eqBasic(x, y) : sameValue(x, y);
    }
    case "struct": {
      const xs = a.v as GoValue[];
      const ys = b.v as GoValue[];
      if (!Array.isArray(xs)) return JSON.stringify(a.v, bigintJson) === JSON.stringify(b.v, bigintJson);
      return xs.every((x, i) => (basicKind(x) !== "invalid" ? eqBasic(x, ys[i]!) : sameValue(x, ys[i]!)));
    }
    default:
      return a.v === b.v;
  }
}

function bigintJson(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

function eqBasic(a: GoValue, b: GoValue): boolean {
  if (basicKind(a) !== basicKind(b)) return false;
  if (basicKind(a) === "complex") {
    const x = a.v as Complex;
    const y = b.v as Complex;
    return x.re === y.re && x.im === y.im;
  }
  return a.v === b.v;
}

function eq(arg1In: Value, ...rest: Value[]): boolean {
  const arg1 = indirectInterface(arg1In);
  if (rest.length === 0) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const argIn of rest) {
    const arg = indirectInterface(argIn);
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") t = (arg1!.v as bigint) >= 0n && arg1!.v === arg!.v;
      else if (k1 === "uint" && k2 === "int") t = (arg!.v as bigint) >= 0n && arg1!.v === arg!.v;
      else if (arg1 !== null && arg !== null) {
        throw new FuncError(`incompatible types for comparison: ${arg1.type.name} and ${arg.type.name}`);
      }
    } else if (k1 === "invalid") {
      if (!canCompare(arg1, arg)) {
        throw new FuncError(`non-comparable types ${sprint([arg1])}: ${typeName(arg1)}, ${typeName(arg)}: ${sprint([arg])}`);
      }
      if (isNil(arg1) || isNil(arg)) t = isNil(arg) === isNil(arg1);
      else {
        if (!comparable(arg!)) throw new FuncError(`non-comparable type ${sprint([arg])}: ${typeName(arg)}`);
        t = sameValue(arg1!, arg!);
      }
    } else t = eqBasic(arg1!, arg!);
    if (t) return true;
  }
  return false;
}

function lt(arg1In: Value, arg2In: Value): boolean {
  const arg1 = indirectInterface(arg1In);
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new FuncError("invalid type for comparison");
  const arg2 = indirectInterface(arg2In);
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new FuncError("invalid type for comparison");
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint") return (arg1!.v as bigint) < (arg2!.v as bigint);
    if (k1 === "uint" && k2 === "int") return (arg2!.v as bigint) >= 0n && (arg1!.v as bigint) < (arg2!.v as bigint);
    throw new FuncError(`incompatible types for comparison: ${arg1!.type.name} and ${arg2!.type.name}`);
  }
  switch (k1) {
    case "bool":
    case "complex":
      throw new FuncError("invalid type for comparison");
    case "string":
      return compareUtf8(arg1!.v as string, arg2!.v as string);
    default:
      return (arg1!.v as number | bigint) < (arg2!.v as number | bigint);
  }
}

/** Go compares strings byte-wise over UTF-8. */
function compareUtf8(a: string, b: string): boolean {
  const x = utf8Bytes(a);
  const y = utf8Bytes(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return x.length < y.length;
}

function le(a: Value, b: Value): boolean {
  return lt(a, b) || eq(a, b);
}

// Indexing and slicing.

function indexArg(index: Value, cap: number): number {
  let x: bigint;
  if (index === null) throw new FuncError("cannot index slice/array with nil");
  if (isIntKind(index.type.kind) || isUintKind(index.type.kind)) x = index.v as bigint;
  else throw new FuncError(`cannot index slice/array with type ${index.type.name}`);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function prepareArg(value: Value, argType: GoValue["type"]): GoValue {
  if (value === null) {
    if (argType.kind !== "map" && argType.kind !== "slice" && argType.kind !== "ptr" && argType.kind !== "interface") {
      throw new FuncError(`value is nil; should be of type ${argType.name}`);
    }
    return zero(argType);
  }
  if (assignable(value.type, argType)) return value;
  const intLike = (k: string): boolean => isIntKind(k as never) || isUintKind(k as never);
  if (intLike(value.type.kind) && intLike(argType.kind)) return new GoValue(argType, value.v);
  throw new FuncError(`value has type ${value.type.name}; should be ${argType.name}`);
}

function index(itemIn: Value, ...indexes: Value[]): Value {
  let item = indirectInterface(itemIn);
  if (item === null) throw new FuncError("index of untyped nil");
  for (const ixIn of indexes) {
    const ix = indirectInterface(ixIn);
    const [it, nil] = indirect(item);
    if (nil) throw new FuncError("index of nil pointer");
    item = it!;
    switch (item.type.kind) {
      case "slice": {
        const s = item.v as GoSlice | null;
        const len = s === null ? 0 : s.len;
        const x = indexArg(ix, len);
        if (x === len) throw new GoPanic("reflect: slice index out of range");
        item = s!.arr[s!.off + x]!;
        break;
      }
      case "string": {
        const b = utf8Bytes(item.v as string);
        const x = indexArg(ix, b.length);
        if (x === b.length) throw new GoPanic("reflect: string index out of range");
        item = new GoValue(UINT8, BigInt(b[x]!));
        break;
      }
      case "map": {
        const key = prepareArg(ix, item.type.key!);
        const m = item.v as Map<string, GoValue> | null;
        item = m?.get(key.v as string) ?? zero(item.type.elem!);
        break;
      }
      default:
        throw new FuncError(`can't index item of type ${item.type.name}`);
    }
  }
  return item;
}

function slice(itemIn: Value, ...indexes: Value[]): Value {
  const item = indirectInterface(itemIn);
  if (item === null) throw new FuncError("slice of untyped nil");
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  let len: number;
  if (item.type.kind === "string") {
    if (indexes.length === 3) throw new FuncError("cannot 3-index slice a string");
    len = cap = byteLength(item.v as string);
  } else if (item.type.kind === "slice") {
    const s = item.v as GoSlice | null;
    cap = s === null ? 0 : s.cap;
    len = s === null ? 0 : s.len;
  } else throw new FuncError(`can't slice item of type ${item.type.name}`);
  const idx = [0, len, 0];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix, cap);
  });
  if (idx[0]! > idx[1]!) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (item.type.kind === "string") {
    return new GoValue(item.type, fromUtf8(utf8Bytes(item.v as string).subarray(idx[0], idx[1])));
  }
  const s = item.v as GoSlice | null;
  if (indexes.length < 3) {
    if (s === null) return item;
    return new GoValue(item.type, { arr: s.arr, off: s.off + idx[0]!, len: idx[1]! - idx[0]!, cap: s.cap - idx[0]! });
  }
  if (idx[1]! > idx[2]!) throw new FuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (s === null) return item;
  return new GoValue(item.type, { arr: s.arr, off: s.off + idx[0]!, len: idx[1]! - idx[0]!, cap: idx[2]! - idx[0]! });
}

function length(itemIn: Value): Value {
  const [item, nil] = indirect(itemIn);
  if (nil) throw new FuncError("len of nil pointer");
  if (item === null) throw new GoPanic("reflect: call of reflect.Value.Type on zero Value");
  switch (item.type.kind) {
    case "map":
      return new GoValue(INT, BigInt((item.v as Map<string, GoValue> | null)?.size ?? 0));
    case "slice":
      return new GoValue(INT, BigInt((item.v as GoSlice | null)?.len ?? 0));
    case "string":
      return new GoValue(INT, BigInt(byteLength(item.v as string)));
  }
  throw new FuncError(`len of type ${item.type.name}`);
}

// Escaping.

/** evalArgs in funcs.go: one plain string as is, otherwise Sprint of the printable values. */
function evalArgs(args: readonly Value[]): string {
  if (args.length === 1) {
    const a = concrete(args[0]!);
    if (a !== null && a.type === STRING) return a.v as string;
  }
  return sprint(
    args.map((a): Value => {
      const c = concrete(a);
      if (c === null) return new GoValue(STRING, "<no value>");
      if (c.type.kind === "ptr" && c.v !== null) return indirect(c)[0];
      return c;
    }),
  );
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) =>
    c === "\0" ? "\uFFFD" : c === '"' ? "&#34;" : c === "'" ? "&#39;" : c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;",
  );
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (c < 0x20) out += "\\u00" + c.toString(16).toUpperCase().padStart(2, "0");
    else if (c < 0x80) out += ch;
    else if (PRINTABLE.test(ch) && !(c >= 0xd800 && c <= 0xdfff)) out += ch;
    else out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
  }
  return out;
}

function callBuiltin(nameV: Value, fnV: Value): Value {
  const name = (nameV?.v as string) ?? "";
  const f = indirectInterface(fnV);
  if (f === null) throw new FuncError("call of nil");
  throw new FuncError(`non-function ${name} of type ${f.type.name}`);
}

/** The builtin function map; `and` and `or` are evaluated lazily by the executor. */
export const BUILTINS: FuncMap = new Map<string, GoFunc>([
  ["and", fn([R], () => null, R)],
  ["or", fn([R], () => null, R)],
  ["call", fn([R], ([n, f]) => callBuiltin(n!, f!), R)],
  ["html", fn([], (a) => new GoValue(STRING, htmlEscape(evalArgs(a))), ANY)],
  ["index", fn([R], ([item, ...ix]) => index(item!, ...ix), R)],
  ["slice", fn([R], ([item, ...ix]) => slice(item!, ...ix), R)],
  ["js", fn([], (a) => new GoValue(STRING, jsEscape(evalArgs(a))), ANY)],
  ["len", fn([R], ([item]) => length(item!))],
  ["not", fn([R], ([a]) => new GoValue(BOOL, !truth(a!)))],
  ["print", fn([], (a) => new GoValue(STRING, sprint(a)), ANY)],
  ["printf", fn([STRING], ([f, ...a]) => new GoValue(STRING, sprintf(f!.v as string, a)), ANY)],
  ["println", fn([], (a) => new GoValue(STRING, sprintln(a)), ANY)],
  ["urlquery", fn([], (a) => new GoValue(STRING, queryEscape(evalArgs(a))), ANY)],
  ["eq", fn([R], ([a, ...b]) => new GoValue(BOOL, eq(a!, ...b)), R)],
  ["ne", fn([R, R], ([a, b]) => new GoValue(BOOL, !eq(a!, b!)))],
  ["lt", fn([R, R], ([a, b]) => new GoValue(BOOL, lt(a!, b!)))],
  ["le", fn([R, R], ([a, b]) => new GoValue(BOOL, le(a!, b!)))],
  ["gt", fn([R, R], ([a, b]) => new GoValue(BOOL, !le(a!, b!)))],
  ["ge", fn([R, R], ([a, b]) => new GoValue(BOOL, !lt(a!, b!)))],
]);
