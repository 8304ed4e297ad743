/**
 * The Go values a template sees. Prometheus hands text/template real Go types (maps of
 * strings, a struct with an `any` field, pointers to samples, *time.Time...), and much of
 * what a template prints or reports depends on those types: a missing key of a
 * map[string]string is "" while a nil interface prints "<no value>", `gt $value 80` fails
 * because float64 and int differ, errors name types the way reflect does. So every value
 * carries its Go type.
 *
 * Representation of `GoValue.v` by kind:
 *  - bool: boolean; integer kinds: bigint; float64: number; complex128: Complex;
 *  - string kinds: a JavaScript string (Go strings are bytes: lengths and indexes are
 *    computed on the UTF-8 encoding where Go would);
 *  - map: Map<string, GoValue> (only string-keyed maps occur), null for a nil map;
 *  - slice: GoSlice (a window onto a shared backing array, as in Go), null for nil;
 *  - ptr: { ref: GoValue } or null; struct: GoValue[] in field order (time.Time: TimeValue);
 *  - interface: the dynamic value, or null for a nil interface.
 * The invalid reflect.Value (what a missing map entry or `nil` data is) is `null`.
 */

export type Kind =
  | "bool"
  | "int"
  | "int64"
  | "uint"
  | "uint8"
  | "uint64"
  | "float64"
  | "complex128"
  | "string"
  | "map"
  | "slice"
  | "ptr"
  | "struct"
  | "interface";

export interface Complex {
  readonly re: number;
  readonly im: number;
}

export interface GoSlice {
  readonly arr: GoValue[];
  readonly off: number;
  readonly len: number;
  readonly cap: number;
}

export interface GoPtr {
  readonly ref: GoValue;
}

/** A method as text/template sees it: fixed parameters, one result, maybe an error. */
export interface GoMethod {
  readonly params: readonly GoType[];
  readonly result: GoType;
  readonly call: (recv: GoValue, args: readonly GoValue[]) => GoValue;
}

export interface GoField {
  readonly name: string;
  readonly type: GoType;
}

export class GoType {
  /** Methods declared on this type (value receivers); a pointer type sees them too. */
  readonly methods = new Map<string, GoMethod>();
  elem: GoType | undefined;
  key: GoType | undefined;
  fields: readonly GoField[] = [];

  constructor(
    readonly kind: Kind,
    /** reflect.Type.String(), as error messages print it. */
    readonly name: string,
    /** A defined type (int, string, time.Duration...) rather than a type literal. */
    readonly named: boolean,
    /** The type literal underneath, for assignability: "[]*template.sample" for queryResult. */
    readonly underlying: string = name,
  ) {}

  method(name: string): GoMethod | undefined {
    return this.methods.get(name) ?? (this.kind === "ptr" ? this.elem?.methods.get(name) : undefined);
  }
}

export class GoValue {
  constructor(
    readonly type: GoType,
    readonly v: unknown,
  ) {}
}

/** The invalid reflect.Value is null. */
export type Value = GoValue | null;

function basic(kind: Kind, name: string): GoType {
  return new GoType(kind, name, true);
}

export const BOOL = basic("bool", "bool");
export const INT = basic("int", "int");
export const INT64 = basic("int64", "int64");
export const UINT8 = basic("uint8", "uint8");
export const FLOAT64 = basic("float64", "float64");
export const COMPLEX128 = basic("complex128", "complex128");
export const STRING = basic("string", "string");
export const ANY = new GoType("interface", "interface {}", false);
/** html/template.HTML, what safeHtml returns: a string that prints as itself in text mode. */
export const HTML = new GoType("string", "template.HTML", true, "string");

export function mapType(key: GoType, elem: GoType): GoType {
  const t = new GoType("map", `map[${key.name}]${elem.name}`, false);
  t.key = key;
  t.elem = elem;
  return t;
}

export function sliceType(elem: GoType, named?: string): GoType {
  const lit = `[]${elem.name}`;
  const t = named ? new GoType("slice", named, true, lit) : new GoType("slice", lit, false);
  t.elem = elem;
  return t;
}

export function ptrType(elem: GoType): GoType {
  const t = new GoType("ptr", `*${elem.name}`, false);
  t.elem = elem;
  return t;
}

export function structType(name: string, named: boolean, fields: readonly GoField[]): GoType {
  const lit = `struct { ${fields.map((f) => `${f.name} ${f.type.name}`).join("; ")} }`;
  const t = named ? new GoType("struct", name, true, lit) : new GoType("struct", lit, false);
  t.fields = fields;
  return t;
}

export const MAP_STRING_STRING = mapType(STRING, STRING);
export const MAP_STRING_ANY = mapType(STRING, ANY);
export const SLICE_ANY = sliceType(ANY);

const INT_KINDS = new Set<Kind>(["int", "int64"]);
const UINT_KINDS = new Set<Kind>(["uint", "uint8", "uint64"]);

export function isIntKind(k: Kind): boolean {
  return INT_KINDS.has(k);
}

export function isUintKind(k: Kind): boolean {
  return UINT_KINDS.has(k);
}

/** Go's AssignableTo for the types templates meet. */
export function assignable(v: GoType, t: GoType): boolean {
  if (v === t) return true;
  if (t.kind === "interface") return true;
  if (v.named && t.named) return false;
  return v.kind === t.kind && v.underlying === t.underlying;
}

/** Go's zero value of a type (reflect.Zero). */
export function zero(t: GoType): GoValue {
  switch (t.kind) {
    case "bool":
      return new GoValue(t, false);
    case "int":
    case "int64":
    case "uint":
    case "uint8":
    case "uint64":
      return new GoValue(t, 0n);
    case "float64":
      return new GoValue(t, 0);
    case "complex128":
      return new GoValue(t, { re: 0, im: 0 });
    case "string":
      return new GoValue(t, "");
    case "struct":
      return new GoValue(
        t,
        t.fields.map((f) => zero(f.type)),
      );
    default:
      return new GoValue(t, null);
  }
}

/** Whether a value of this kind can be nil (Go's canBeNil, without chans and funcs). */
export function canBeNil(t: GoType): boolean {
  return t.kind === "map" || t.kind === "slice" || t.kind === "ptr" || t.kind === "interface";
}

export function isNilValue(v: GoValue): boolean {
  return canBeNil(v.type) && v.v === null;
}

// Constructors.

export const str = (s: string): GoValue => new GoValue(STRING, s);
export const f64 = (n: number): GoValue => new GoValue(FLOAT64, n);
export const int = (n: bigint | number): GoValue => new GoValue(INT, typeof n === "bigint" ? n : BigInt(n));
export const bool = (b: boolean): GoValue => new GoValue(BOOL, b);

export function iface(inner: Value, t: GoType = ANY): GoValue {
  return new GoValue(t, inner);
}

export function stringMap(rec: Readonly<Record<string, string>>): GoValue {
  const m = new Map<string, GoValue>();
  for (const [k, val] of Object.entries(rec)) m.set(k, str(val));
  return new GoValue(MAP_STRING_STRING, m);
}

export function sliceOf(t: GoType, items: GoValue[]): GoValue {
  return new GoValue(t, { arr: items, off: 0, len: items.length, cap: items.length } satisfies GoSlice);
}

export function ptrTo(target: GoValue): GoValue {
  return new GoValue(ptrType(target.type), { ref: target } satisfies GoPtr);
}

/** The length of a string as Go counts it: UTF-8 bytes. */
export function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Go's string comparison: byte-wise over UTF-8, which is code point order. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort above every BMP unit in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
