/**
 * Go's fmt package as templates use it: Sprint, Sprintln and Sprintf over Go values,
 * and the default formatting text/template applies when it prints a value. Verbs, flags,
 * widths, precisions, argument indexes and the `%!verb(type=value)` error forms follow
 * fmt/print.go and fmt/format.go.
 */
import { formatFloat } from "./ftoa.js";
import { canBackquote, isPrint, quote, quoteRune, quoteToASCII } from "../../model/quote.js";
import {
  type Complex,
  type GoPtr,
  type GoSlice,
  GoValue,
  compareStrings,
  isIntKind,
  isUintKind,
  utf8Bytes,
  type Value,
} from "./values.js";

const LDIGITS = "0123456789abcdefx";
const UDIGITS = "0123456789ABCDEFX";
const MAX_RUNE = 0x10ffff;
const MASK64 = (1n << 64n) - 1n;

/** A Go panic raised by a method (a nil receiver, say), caught as Go's recover would. */
export class GoPanic extends Error {}

export const NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference";

/** Stable, plausible addresses for pointers, which Go prints as 0xc000... */
const addresses = new WeakMap<object, bigint>();
let nextAddress = 0xc000010000n;

export function pointerAddress(p: object | null): bigint {
  if (p === null) return 0n;
  let a = addresses.get(p);
  if (a === undefined) {
    a = nextAddress;
    nextAddress += 0x30n;
    addresses.set(p, a);
  }
  return a;
}

/** The String method a value's method set offers, if any (fmt.Stringer). */
export function stringer(v: GoValue): (() => string) | null {
  const m = v.type.method("String");
  if (!m || m.params.length !== 0 || m.result.kind !== "string") return null;
  return () => {
    if (v.type.kind === "ptr" && v.v === null) throw new GoPanic(NIL_DEREF);
    const recv = v.type.kind === "ptr" ? (v.v as GoPtr).ref : v;
    return m.call(recv, []).v as string;
  };
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The dynamic value of an interface, as a Go `any` argument carries it. */
export function concrete(v: Value): Value {
  while (v !== null && v.type.kind === "interface") v = v.v as Value;
  return v;
}

class Printer {
  buf = "";
  wid = 0;
  prec = 0;
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  arg: Value = null;
  value: Value = null;
  erroring = false;
  panicking = false;
  reordered = false;
  goodArgNum = true;

  clearflags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = false;
    this.sharp = this.space = this.zero = this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  // --- format.go ---

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero ? "0" : " ").repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  fmtBoolean(v: boolean): void {
    this.pad(v ? "true" : "false");
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let tail = "";
    if (this.sharp && u <= BigInt(MAX_RUNE) && isPrint(Number(u))) tail = ` '${String.fromCodePoint(Number(u))}'`;
    let hex = u.toString(16).toUpperCase();
    if (hex.length < prec) hex = "0".repeat(prec - hex.length) + hex;
    const oldZero = this.zero;
    this.zero = false;
    this.pad("U+" + hex + tail);
    this.zero = oldZero;
  }

  /** u is the value as Go's uint64 carries it; isSigned reinterprets it as int64. */
  fmtInteger(value: bigint, base: number, isSigned: boolean, verb: string, digits: string): void {
    let u = value & MASK64;
    const negative = isSigned && u >= 1n << 63n;
    if (negative) u = (1n << 64n) - u;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = "";
    const b = BigInt(base);
    do {
      s = digits[Number(u % b)] + s;
      u /= b;
    } while (u > 0n);
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = "0b" + s;
      else if (base === 8 && s[0] !== "0") s = "0" + s;
      else if (base === 16) s = "0" + digits[16] + s;
    }
    if (verb === "O") s = "0o" + s;
    if (negative) s = "-" + s;
    else if (this.plus) s = "+" + s;
    else if (this.space) s = " " + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  truncate(s: string): string {
    if (this.precPresent) {
      let n = this.prec;
      let i = 0;
      for (const ch of s) {
        n--;
        if (n < 0) return s.slice(0, i);
        i += ch.length;
      }
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtSx(s: string, digits: string): void {
    const b = utf8Bytes(s);
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = "";
    if (this.sharp) out += "0" + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += " ";
        if (this.sharp) out += "0" + digits[16];
      }
      const c = b[i]!;
      out += digits[c >> 4]! + digits[c & 0xf]!;
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) {
      this.pad("`" + s + "`");
      return;
    }
    this.pad(this.plus ? quoteToASCII(s) : quote(s));
  }

  fmtC(c: bigint): void {
    const u = c & MASK64;
    const r = u > BigInt(MAX_RUNE) || (u >= 0xd800n && u <= 0xdfffn) ? 0xfffd : Number(u);
    this.pad(String.fromCodePoint(r));
  }

  fmtQc(c: bigint): void {
    const u = c & MASK64;
    const r = u > BigInt(MAX_RUNE) ? 0xfffd : Number(u);
    this.pad(quoteRune(r, this.plus));
  }

  fmtFloat(v: number, verb: string, precIn: number): void {
    const prec = this.precPresent ? this.prec : precIn;
    let num = formatFloat(v, verb, prec);
    if (num[0] === "-" || num[0] === "+") {
      // keep the sign
    } else num = "+" + num;
    if (this.space && num[0] === "+" && !this.plus) num = " " + num.slice(1);
    if (num[1] === "I" || num[1] === "N") {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === "N" && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== "b") {
      let digits = 0;
      if (verb === "v" || verb === "g" || verb === "G" || verb === "x") {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = "";
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      let body = num;
      for (let i = 1; i < body.length; i++) {
        const c = body[i]!;
        if (c === ".") {
          hasDecimalPoint = true;
          continue;
        }
        if (c === "p" || c === "P" || ((c === "e" || c === "E") && verb !== "x" && verb !== "X")) {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        }
        if (c !== "0") sawNonzeroDigit = true;
        if (sawNonzeroDigit) digits--;
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === "0") digits--;
        body += ".";
      }
      while (digits > 0) {
        body += "0";
        digits--;
      }
      num = body + tail;
    }
    if (this.plus || num[0] !== "+") {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  // --- print.go ---

  badVerb(verb: string): void {
    this.erroring = true;
    this.buf += "%!" + verb + "(";
    if (this.arg !== null) {
      this.buf += this.arg.type.name + "=";
      this.printArg(this.arg, "v");
    } else if (this.value !== null) {
      this.buf += this.value.type.name + "=";
      this.printValue(this.value, "v", 0);
    } else this.buf += "<nil>";
    this.buf += ")";
    this.erroring = false;
  }

  fmtBool(v: boolean, verb: string): void {
    if (verb === "t" || verb === "v") this.fmtBoolean(v);
    else this.badVerb(verb);
  }

  fmt0x64(v: bigint, leading0x: boolean): void {
    const sharp = this.sharp;
    this.sharp = leading0x;
    this.fmtInteger(v, 16, false, "v", LDIGITS);
    this.sharp = sharp;
  }

  fmtIntegerVerb(v: bigint, isSigned: boolean, verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV && !isSigned) this.fmt0x64(v, true);
        else this.fmtInteger(v, 10, isSigned, verb, LDIGITS);
        return;
      case "d":
        return this.fmtInteger(v, 10, isSigned, verb, LDIGITS);
      case "b":
        return this.fmtInteger(v, 2, isSigned, verb, LDIGITS);
      case "o":
      case "O":
        return this.fmtInteger(v, 8, isSigned, verb, LDIGITS);
      case "x":
        return this.fmtInteger(v, 16, isSigned, verb, LDIGITS);
      case "X":
        return this.fmtInteger(v, 16, isSigned, verb, UDIGITS);
      case "c":
        return this.fmtC(v);
      case "q":
        return this.fmtQc(v);
      case "U":
        return this.fmtUnicode(v & MASK64);
      default:
        this.badVerb(verb);
    }
  }

  fmtFloatVerb(v: number, verb: string): void {
    switch (verb) {
      case "v":
        return this.fmtFloat(v, "g", -1);
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        return this.fmtFloat(v, verb, -1);
      case "f":
      case "e":
      case "E":
        return this.fmtFloat(v, verb, 6);
      case "F":
        return this.fmtFloat(v, "f", 6);
      default:
        this.badVerb(verb);
    }
  }

  fmtComplex(v: Complex, verb: string): void {
    if (!"vbgGxXfFeE".includes(verb)) {
      this.badVerb(verb);
      return;
    }
    const oldPlus = this.plus;
    this.buf += "(";
    this.fmtFloatVerb(v.re, verb);
    this.plus = true;
    this.fmtFloatVerb(v.im, verb);
    this.buf += "i)";
    this.plus = oldPlus;
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case "s":
        return this.fmtS(v);
      case "x":
        return this.fmtSx(v, LDIGITS);
      case "X":
        return this.fmtSx(v, UDIGITS);
      case "q":
        return this.fmtQ(v);
      default:
        this.badVerb(verb);
    }
  }

  fmtPointer(value: GoValue, verb: string): void {
    let use0x64 = true;
    if (verb === "p" || verb === "v") {
      // ok
    } else if ("bdoxX".includes(verb)) use0x64 = false;
    else {
      this.badVerb(verb);
      return;
    }
    const u = pointerAddress(value.v as object | null);
    if (this.sharpV) {
      this.buf += "(" + value.type.name + ")(";
      if (u === 0n) this.buf += "nil";
      else this.fmt0x64(u, true);
      this.buf += ")";
    } else if (verb === "v" && u === 0n) this.pad("<nil>");
    else if (use0x64) this.fmt0x64(u, !this.sharp);
    else this.fmtIntegerVerb(u, false, verb);
  }

  catchPanic(arg: Value, verb: string, method: string, e: unknown): void {
    if (arg !== null && arg.type.kind === "ptr" && arg.v === null) {
      this.buf += "<nil>";
      return;
    }
    if (this.panicking || !(e instanceof GoPanic)) throw e;
    this.clearflags();
    this.buf += "%!" + verb + "(PANIC=" + method + " method: " + e.message + ")";
  }

  handleMethods(verb: string): boolean {
    if (this.erroring || this.sharpV) return false;
    if (!"vsxXq".includes(verb)) return false;
    const arg = this.arg;
    if (arg === null) return false;
    const str = stringer(arg);
    if (!str) return false;
    try {
      this.fmtString(str(), verb);
    } catch (e) {
      this.catchPanic(arg, verb, "String", e);
    }
    return true;
  }

  printArg(arg: Value, verb: string): void {
    arg = concrete(arg);
    this.arg = arg;
    this.value = null;
    if (arg === null) {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb);
      return;
    }
    if (verb === "T") {
      this.fmtS(arg.type.name);
      return;
    }
    if (verb === "p") {
      this.fmtPointer(arg, "p");
      return;
    }
    const k = arg.type.kind;
    // Basic types without methods format directly, as fmt's type switch does.
    if (arg.type.methods.size === 0) {
      switch (k) {
        case "bool":
          return this.fmtBool(arg.v as boolean, verb);
        case "float64":
          return this.fmtFloatVerb(arg.v as number, verb);
        case "complex128":
          return this.fmtComplex(arg.v as Complex, verb);
        case "string":
          if (arg.type.name === "string") return this.fmtString(arg.v as string, verb);
          break;
        default:
          if (isIntKind(k) || isUintKind(k)) return this.fmtIntegerVerb(arg.v as bigint, isIntKind(k), verb);
      }
    }
    if (!this.handleMethods(verb)) this.printValue(arg, verb, 0);
  }

  printValue(value: Value, verb: string, depth: number): void {
    if (depth > 0 && value !== null) {
      this.arg = concrete(value);
      if (this.arg !== null && this.handleMethods(verb)) return;
    }
    this.arg = null;
    this.value = value;
    if (value === null) {
      if (depth === 0) this.buf += "<invalid reflect.Value>";
      else if (verb === "v") this.buf += "<nil>";
      else this.badVerb(verb);
      return;
    }
    const k = value.type.kind;
    switch (k) {
      case "bool":
        return this.fmtBool(value.v as boolean, verb);
      case "int":
      case "int64":
        return this.fmtIntegerVerb(value.v as bigint, true, verb);
      case "uint":
      case "uint8":
      case "uint64":
        return this.fmtIntegerVerb(value.v as bigint, false, verb);
      case "float64":
        return this.fmtFloatVerb(value.v as number, verb);
      case "complex128":
        return this.fmtComplex(value.v as Complex, verb);
      case "string":
        return this.fmtString(value.v as string, verb);
      case "map": {
        const m = value.v as Map<string, GoValue> | null;
        if (this.sharpV) {
          this.buf += value.type.name;
          if (m === null) {
            this.buf += "(nil)";
            return;
          }
          this.buf += "{";
        } else this.buf += "map[";
        const keys = m === null ? [] : [...m.keys()].sort(compareStrings);
        keys.forEach((key, i) => {
          if (i > 0) this.buf += this.sharpV ? ", " : " ";
          this.printValue(new GoValue(value.type.key!, key), verb, depth + 1);
          this.buf += ":";
          this.printValue(m!.get(key)!, verb, depth + 1);
        });
        this.buf += this.sharpV ? "}" : "]";
        return;
      }
      case "struct": {
        if (this.sharpV) this.buf += value.type.name;
        this.buf += "{";
        const fields = value.v as GoValue[];
        value.type.fields.forEach((f, i) => {
          if (i > 0) this.buf += this.sharpV ? ", " : " ";
          if (this.plusV || this.sharpV) this.buf += f.name + ":";
          let fv: Value = fields[i]!;
          if (fv.type.kind === "interface" && fv.v !== null) fv = fv.v as GoValue;
          this.printValue(fv, verb, depth + 1);
        });
        this.buf += "}";
        return;
      }
      case "interface": {
        const inner = value.v as Value;
        if (inner === null) {
          if (this.sharpV) this.buf += value.type.name + "(nil)";
          else this.buf += "<nil>";
        } else this.printValue(inner, verb, depth + 1);
        return;
      }
      case "slice": {
        const s = value.v as GoSlice | null;
        if (this.sharpV) {
          this.buf += value.type.name;
          if (s === null) {
            this.buf += "(nil)";
            return;
          }
          this.buf += "{";
        } else this.buf += "[";
        const n = s === null ? 0 : s.len;
        for (let i = 0; i < n; i++) {
          if (i > 0) this.buf += this.sharpV ? ", " : " ";
          this.printValue(s!.arr[s!.off + i]!, verb, depth + 1);
        }
        this.buf += this.sharpV ? "}" : "]";
        return;
      }
      case "ptr": {
        const p = value.v as GoPtr | null;
        if (depth === 0 && p !== null) {
          const ek = p.ref.type.kind;
          if (ek === "slice" || ek === "struct" || ek === "map") {
            this.buf += "&";
            this.printValue(p.ref, verb, depth + 1);
            return;
          }
        }
        return this.fmtPointer(value, verb);
      }
    }
  }

  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== "[") return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  doPrintf(format: string, a: readonly Value[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    let i = 0;
    formatLoop: while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== "%") i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearflags();
      simple: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case "#":
            this.sharp = true;
            break;
          case "0":
            this.zero = !this.minus;
            break;
          case "+":
            this.plus = true;
            break;
          case "-":
            this.minus = true;
            this.zero = false;
            break;
          case " ":
            this.space = true;
            break;
          default:
            if (c >= "a" && c <= "z" && argNum < a.length) {
              if (c === "v") {
                this.sharpV = this.sharp;
                this.sharp = false;
                this.plusV = this.plus;
                this.plus = false;
              }
              this.printArg(a[argNum]!, c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i < end && format[i] === "*") {
        i++;
        [this.wid, this.widPresent, argNum] = intFromArg(a, argNum);
        if (!this.widPresent) this.buf += "%!(BADWIDTH)";
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === ".") {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === "*") {
          i++;
          [this.prec, this.precPresent, argNum] = intFromArg(a, argNum);
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += "%!(BADPREC)";
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parsenum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.buf += "%!(NOVERB)";
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;
      if (verb === "%") this.buf += "%";
      else if (!this.goodArgNum) this.buf += "%!" + verb + "(BADINDEX)";
      else if (argNum >= a.length) this.buf += "%!" + verb + "(MISSING)";
      else {
        if (verb === "v") {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(a[argNum]!, verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < a.length) {
      this.clearflags();
      this.buf += "%!(EXTRA ";
      a.slice(argNum).forEach((arg, k) => {
        if (k > 0) this.buf += ", ";
        const c = concrete(arg);
        if (c === null) this.buf += "<nil>";
        else {
          this.buf += c.type.name + "=";
          this.printArg(c, "v");
        }
      });
      this.buf += ")";
    }
  }
}

function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s[i]! >= "0" && s[i]! <= "9"; i++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return [num, isnum, i];
}

function parseArgNumber(format: string): [number, number, boolean] {
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === "]") {
      const [width, ok, newi] = parsenum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true];
    }
  }
  return [0, 1, false];
}

function intFromArg(a: readonly Value[], argNum: number): [number, boolean, number] {
  let num = 0;
  let isInt = false;
  let newArgNum = argNum;
  if (argNum < a.length) {
    const v = concrete(a[argNum]!);
    if (v !== null && (isIntKind(v.type.kind) || isUintKind(v.type.kind))) {
      const n = v.v as bigint;
      if (n >= -(1n << 63n) && n < 1n << 63n) {
        num = Number(n);
        isInt = true;
      }
    }
    newArgNum = argNum + 1;
    if (tooLarge(num)) {
      num = 0;
      isInt = false;
    }
  }
  return [num, isInt, newArgNum];
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly Value[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((raw, n) => {
    const arg = concrete(raw);
    const isString = arg !== null && arg.type.kind === "string";
    if (n > 0 && !isString && !prevString) p.buf += " ";
    p.printArg(arg, "v");
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: spaces between all operands and a final newline. */
export function sprintln(args: readonly Value[]): string {
  const p = new Printer();
  args.forEach((arg, n) => {
    if (n > 0) p.buf += " ";
    p.printArg(arg, "v");
  });
  return p.buf + "\n";
}

export function sprintf(format: string, args: readonly Value[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}
