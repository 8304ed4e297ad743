import { ParseError } from "./errors.js";
import { goQuote, goQuoteRune, goQuoteRuneVerbose } from "./quote.js";

/** The token kinds of PromQL, named as Prometheus names its lexer items so that error
 * messages can describe them the same way. */
export type TokenType =
  | "EOF"
  | "IDENTIFIER"
  | "METRIC_IDENTIFIER"
  | "NUMBER"
  | "DURATION"
  | "STRING"
  // Punctuation.
  | "LEFT_PAREN"
  | "RIGHT_PAREN"
  | "LEFT_BRACE"
  | "RIGHT_BRACE"
  | "LEFT_BRACKET"
  | "RIGHT_BRACKET"
  | "COMMA"
  | "EQL"
  | "COLON"
  // Operators.
  | "ADD"
  | "SUB"
  | "MUL"
  | "DIV"
  | "MOD"
  | "POW"
  | "EQLC"
  | "NEQ"
  | "LTE"
  | "LSS"
  | "GTE"
  | "GTR"
  | "TRIM_UPPER"
  | "TRIM_LOWER"
  | "EQL_REGEX"
  | "NEQ_REGEX"
  | "LAND"
  | "LOR"
  | "LUNLESS"
  | "ATAN2"
  | "AT"
  // Aggregators.
  | "SUM"
  | "AVG"
  | "COUNT"
  | "MIN"
  | "MAX"
  | "GROUP"
  | "STDDEV"
  | "STDVAR"
  | "TOPK"
  | "BOTTOMK"
  | "COUNT_VALUES"
  | "QUANTILE"
  | "LIMITK"
  | "LIMIT_RATIO"
  // Keywords.
  | "OFFSET"
  | "SMOOTHED"
  | "ANCHORED"
  | "BY"
  | "WITHOUT"
  | "ON"
  | "IGNORING"
  | "GROUP_LEFT"
  | "GROUP_RIGHT"
  | "FILL"
  | "FILL_LEFT"
  | "FILL_RIGHT"
  | "BOOL"
  // Words that are functions, `@` preprocessors or duration-expression keywords.
  | "START"
  | "END"
  | "STEP"
  | "RANGE"
  | "MAX_OF"
  | "MIN_OF";

export interface Token {
  type: TokenType;
  /** Offset of the first character. */
  pos: number;
  /** The token's text as written (strings include their quotes). */
  val: string;
}

const KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ["and", "LAND"],
  ["or", "LOR"],
  ["unless", "LUNLESS"],
  ["atan2", "ATAN2"],
  ["sum", "SUM"],
  ["avg", "AVG"],
  ["count", "COUNT"],
  ["min", "MIN"],
  ["max", "MAX"],
  ["group", "GROUP"],
  ["stddev", "STDDEV"],
  ["stdvar", "STDVAR"],
  ["topk", "TOPK"],
  ["bottomk", "BOTTOMK"],
  ["count_values", "COUNT_VALUES"],
  ["quantile", "QUANTILE"],
  ["limitk", "LIMITK"],
  ["limit_ratio", "LIMIT_RATIO"],
  ["offset", "OFFSET"],
  ["smoothed", "SMOOTHED"],
  ["anchored", "ANCHORED"],
  ["by", "BY"],
  ["without", "WITHOUT"],
  ["on", "ON"],
  ["ignoring", "IGNORING"],
  ["group_left", "GROUP_LEFT"],
  ["group_right", "GROUP_RIGHT"],
  ["fill", "FILL"],
  ["fill_left", "FILL_LEFT"],
  ["fill_right", "FILL_RIGHT"],
  ["bool", "BOOL"],
  ["start", "START"],
  ["end", "END"],
  ["step", "STEP"],
  ["range", "RANGE"],
  ["max_of", "MAX_OF"],
  ["min_of", "MIN_OF"],
  ["inf", "NUMBER"],
  ["nan", "NUMBER"],
]);

/** Keywords recognised inside `[...]` (duration expressions). */
const DURATION_KEYWORDS: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ["step", "STEP"],
  ["range", "RANGE"],
  ["max_of", "MAX_OF"],
  ["min_of", "MIN_OF"],
]);

const OPERATORS: ReadonlySet<TokenType> = new Set<TokenType>([
  "ADD", "SUB", "MUL", "DIV", "MOD", "POW", "EQLC", "NEQ", "LTE", "LSS", "GTE", "GTR",
  "TRIM_UPPER", "TRIM_LOWER", "EQL_REGEX", "NEQ_REGEX", "LAND", "LOR", "LUNLESS", "ATAN2", "AT",
]);

export const AGGREGATORS: ReadonlySet<TokenType> = new Set<TokenType>([
  "SUM", "AVG", "COUNT", "MIN", "MAX", "GROUP", "STDDEV", "STDVAR", "TOPK", "BOTTOMK",
  "COUNT_VALUES", "QUANTILE", "LIMITK", "LIMIT_RATIO",
]);

const KEYWORD_ITEMS: ReadonlySet<TokenType> = new Set<TokenType>([
  "OFFSET", "SMOOTHED", "ANCHORED", "BY", "WITHOUT", "ON", "IGNORING", "GROUP_LEFT",
  "GROUP_RIGHT", "FILL", "FILL_LEFT", "FILL_RIGHT", "BOOL",
]);

/** How an error message names a token: `end of input`, `identifier "foo"`, `<by>`,
 * `<op:*>`, `<aggr:sum>`, `"("`, `number "1"`, as Prometheus does. */
export function describeToken(t: Token): string {
  switch (t.type) {
    case "EOF":
      return "end of input";
    case "IDENTIFIER":
      return `identifier ${goQuote(t.val)}`;
    case "METRIC_IDENTIFIER":
      return `metric identifier ${goQuote(t.val)}`;
    case "STRING":
      return `string ${shortQuote(t.val)}`;
    case "NUMBER":
      return `number ${shortQuote(t.val)}`;
    case "DURATION":
      return `duration ${shortQuote(t.val)}`;
  }
  if (KEYWORD_ITEMS.has(t.type)) return `<${t.val}>`;
  if (OPERATORS.has(t.type)) return `<op:${t.val}>`;
  if (AGGREGATORS.has(t.type)) return `<aggr:${t.val}>`;
  return shortQuote(t.val);
}

function shortQuote(s: string): string {
  const cps = Array.from(s);
  return cps.length > 10 ? `${goQuote(cps.slice(0, 10).join(""))}...` : goQuote(s);
}

// Character classes, by UTF-16 code unit.
const C_0 = 48;
const C_9 = 57;
const C_UNDERSCORE = 95;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}
function isAlpha(c: number): boolean {
  return c === C_UNDERSCORE || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isAlphaNumeric(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** An on-demand PromQL tokenizer. Like Prometheus' lexer it is stateful: words inside
 * `{...}` are plain identifiers, `[...]` holds durations, and unbalanced brackets are
 * reported where they are found. Lexical errors throw ParseError at the token's start. */
export class Lexer {
  private pos = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  /** Right after `[` (or an operator inside it): Prometheus' duration-expression state. */
  private durationExpr = false;
  private gotColon = false;
  private gotDuration = false;

  constructor(readonly input: string) {}

  private fail(at: number, msg: string): never {
    throw new ParseError(this.input, at, msg);
  }

  private tok(type: TokenType, start: number, end: number): Token {
    this.pos = end;
    return { type, pos: start, val: this.input.slice(start, end) };
  }

  /** Returns the next token (comments are skipped). */
  next(): Token {
    for (;;) {
      if (this.braceOpen) {
        const t = this.lexInsideBraces();
        if (t) return t;
      } else if (this.bracketOpen && this.durationExpr) {
        const t = this.lexDurationExpr();
        if (t) return t;
      } else {
        const t = this.lexStatements();
        if (t) return t;
      }
    }
  }

  private skipComment(): void {
    const s = this.input;
    let i = this.pos + 1;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 10 || c === 13) break;
      i++;
    }
    this.pos = i;
  }

  private skipSpaces(): void {
    const s = this.input;
    let i = this.pos;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    this.pos = i;
  }

  /** Returns null when it only skipped something (space, comment). */
  private lexStatements(): Token | null {
    const s = this.input;
    const start = this.pos;
    if (start >= s.length) {
      if (this.parenDepth !== 0) this.fail(start, "unclosed left parenthesis");
      if (this.bracketOpen) this.fail(start, "unclosed left bracket");
      return { type: "EOF", pos: start, val: "" };
    }
    const c = s.charCodeAt(start);
    if (c === 35 /* # */) {
      this.skipComment();
      return null;
    }
    if (isSpace(c)) {
      this.skipSpaces();
      return null;
    }
    const c1 = start + 1 < s.length ? s.charCodeAt(start + 1) : -1;
    switch (c) {
      case 44: return this.tok("COMMA", start, start + 1);
      case 42: return this.tok("MUL", start, start + 1);
      case 47: return this.tok("DIV", start, start + 1);
      case 37: return this.tok("MOD", start, start + 1);
      case 43: return this.tok("ADD", start, start + 1);
      case 45: return this.tok("SUB", start, start + 1);
      case 94: return this.tok("POW", start, start + 1);
      case 64: return this.tok("AT", start, start + 1);
      case 61: // =
        if (c1 === 61) return this.tok("EQLC", start, start + 2);
        if (c1 === 126) this.fail(start, `unexpected character after '=': ${goQuoteRune(c1)}`);
        return this.tok("EQL", start, start + 1);
      case 33: // !
        if (c1 !== 61) this.fail(start, `unexpected character after '!': ${goQuoteRune(this.codePointAt(start + 1))}`);
        return this.tok("NEQ", start, start + 2);
      case 60: // <
        if (c1 === 61) return this.tok("LTE", start, start + 2);
        if (c1 === 47) return this.tok("TRIM_UPPER", start, start + 2);
        return this.tok("LSS", start, start + 1);
      case 62: // >
        if (c1 === 61) return this.tok("GTE", start, start + 2);
        if (c1 === 47) return this.tok("TRIM_LOWER", start, start + 2);
        return this.tok("GTR", start, start + 1);
      case 34: // "
      case 39: // '
        return this.lexString(start);
      case 96: // `
        return this.lexRawString(start);
      case 40: // (
        this.parenDepth++;
        return this.tok("LEFT_PAREN", start, start + 1);
      case 41: // )
        this.parenDepth--;
        if (this.parenDepth < 0) this.fail(start + 1, "unexpected right parenthesis ')'");
        return this.tok("RIGHT_PAREN", start, start + 1);
      case 123: // {
        this.braceOpen = true;
        return this.tok("LEFT_BRACE", start, start + 1);
      case 91: { // [
        if (this.bracketOpen) this.fail(start, "unexpected left bracket '['");
        this.gotColon = false;
        const t = this.tok("LEFT_BRACKET", start, start + 1);
        this.skipSpaces();
        this.bracketOpen = true;
        this.durationExpr = true;
        return t;
      }
      case 93: // ]
        if (!this.bracketOpen) this.fail(start, "unexpected right bracket ']'");
        this.bracketOpen = false;
        return this.tok("RIGHT_BRACKET", start, start + 1);
    }
    if (isDigit(c) || (c === 46 && isDigit(c1))) return this.lexNumberOrDuration(start);
    if (isAlpha(c) || c === 58 /* : */) {
      if (!this.bracketOpen) return this.lexKeywordOrIdentifier(start);
      if (c === 58) {
        if (this.gotColon) this.fail(start, "unexpected colon ':'");
        this.gotColon = true;
        return this.tok("COLON", start, start + 1);
      }
      const kw = this.scanDurationKeyword(start);
      if (kw) return kw;
      this.fail(start, `unexpected character: ${goQuoteRune(c)}, expected ':'`);
    }
    this.fail(start, `unexpected character: ${goQuoteRune(this.codePointAt(start))}`);
  }

  private codePointAt(i: number): number {
    return i < this.input.length ? this.input.codePointAt(i)! : -1;
  }

  private lexInsideBraces(): Token | null {
    const s = this.input;
    const start = this.pos;
    if (start >= s.length) this.fail(start, "unexpected end of input inside braces");
    const c = s.charCodeAt(start);
    if (c === 35) {
      this.skipComment();
      return null;
    }
    if (isSpace(c)) {
      this.skipSpaces();
      return null;
    }
    if (isAlpha(c)) {
      let i = start + 1;
      while (i < s.length && isAlphaNumeric(s.charCodeAt(i))) i++;
      return this.tok("IDENTIFIER", start, i);
    }
    const c1 = start + 1 < s.length ? s.charCodeAt(start + 1) : -1;
    switch (c) {
      case 44:
        return this.tok("COMMA", start, start + 1);
      case 34:
      case 39:
        return this.lexString(start);
      case 96:
        return this.lexRawString(start);
      case 61:
        if (c1 === 126) return this.tok("EQL_REGEX", start, start + 2);
        return this.tok("EQL", start, start + 1);
      case 33:
        if (c1 === 126) return this.tok("NEQ_REGEX", start, start + 2);
        if (c1 === 61) return this.tok("NEQ", start, start + 2);
        this.fail(start, `unexpected character after '!' inside braces: ${goQuoteRune(this.codePointAt(start + 1))}`);
      case 123:
        this.fail(start, "unexpected left brace '{'");
      case 125:
        this.braceOpen = false;
        return this.tok("RIGHT_BRACE", start, start + 1);
    }
    this.fail(start, `unexpected character inside braces: ${goQuoteRune(this.codePointAt(start))}`);
  }

  private lexDurationExpr(): Token | null {
    const s = this.input;
    const start = this.pos;
    if (start >= s.length) this.fail(start, "unexpected end of input in duration expression");
    const c = s.charCodeAt(start);
    const c1 = start + 1 < s.length ? s.charCodeAt(start + 1) : -1;
    switch (c) {
      case 93: // ]
        this.bracketOpen = false;
        this.durationExpr = false;
        this.gotColon = false;
        return this.tok("RIGHT_BRACKET", start, start + 1);
      case 58: // :
        if (!this.gotDuration) this.fail(start + 1, "unexpected colon before duration in duration expression");
        if (this.gotColon) this.fail(start + 1, "unexpected repeated colon in duration expression");
        this.gotColon = true;
        return this.tok("COLON", start, start + 1);
      case 40:
        this.parenDepth++;
        return this.tok("LEFT_PAREN", start, start + 1);
      case 41:
        this.parenDepth--;
        if (this.parenDepth < 0) this.fail(start + 1, "unexpected right parenthesis ')'");
        return this.tok("RIGHT_PAREN", start, start + 1);
      case 43: return this.tok("ADD", start, start + 1);
      case 45: return this.tok("SUB", start, start + 1);
      case 42: return this.tok("MUL", start, start + 1);
      case 47: return this.tok("DIV", start, start + 1);
      case 37: return this.tok("MOD", start, start + 1);
      case 94: return this.tok("POW", start, start + 1);
      case 44: return this.tok("COMMA", start, start + 1);
    }
    if (isSpace(c)) {
      this.skipSpaces();
      return null;
    }
    const lc = lower(c);
    if (lc === 115 /* s */ || lc === 114 /* r */ || lc === 109 /* m */) {
      const kw = this.scanDurationKeyword(start);
      if (kw) return kw;
      this.fail(start, `unexpected character in duration expression: ${goQuoteRune(c)}`);
    }
    if (isDigit(c) || (c === 46 && isDigit(c1))) {
      this.gotDuration = true;
      this.durationExpr = false;
      return this.lexNumberOrDuration(start);
    }
    this.fail(start, `unexpected character in duration expression: ${goQuoteRune(this.codePointAt(start))}`);
  }

  private scanDurationKeyword(start: number): Token | null {
    const s = this.input;
    let i = start;
    while (i < s.length && isAlpha(s.charCodeAt(i))) i++;
    const type = DURATION_KEYWORDS.get(s.slice(start, i).toLowerCase());
    if (!type) return null;
    return this.tok(type, start, i);
  }

  private lexKeywordOrIdentifier(start: number): Token {
    const s = this.input;
    let i = start;
    let colon = false;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 58) colon = true;
      else if (!isAlphaNumeric(c)) break;
    }
    const word = s.slice(start, i);
    const kw = KEYWORDS.get(word.toLowerCase());
    if (kw) {
      // fill/fill_left/fill_right are keywords only when followed by "(".
      if ((kw === "FILL" || kw === "FILL_LEFT" || kw === "FILL_RIGHT") && !this.followedByLeftParen(i)) {
        return this.tok("IDENTIFIER", start, i);
      }
      return this.tok(kw, start, i);
    }
    return this.tok(colon ? "METRIC_IDENTIFIER" : "IDENTIFIER", start, i);
  }

  private followedByLeftParen(i: number): boolean {
    const s = this.input;
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    return s.charCodeAt(i) === 40;
  }

  private lexNumberOrDuration(start: number): Token {
    const s = this.input;
    const r = scanNumber(s, start);
    if (r.ok) return this.tok("NUMBER", start, r.pos);
    const d = acceptRemainingDuration(s, r.pos);
    if (d.ok) return this.tok("DURATION", start, d.pos);
    this.fail(start, `bad number or duration syntax: ${goQuote(s.slice(start, d.pos))}`);
  }

  private lexString(start: number): Token {
    const s = this.input;
    const quote = s.charCodeAt(start);
    let i = start + 1;
    for (;;) {
      if (i >= s.length) this.fail(start, "unterminated quoted string");
      const c = s.charCodeAt(i);
      if (c === quote) break;
      if (c === 10) this.fail(start, "unterminated quoted string");
      if (c === 92 /* \ */) {
        i = this.checkEscape(start, i + 1, quote);
        continue;
      }
      if (c === 0xfffd || isLoneSurrogate(s, i)) this.fail(start, "invalid UTF-8 rune");
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return this.tok("STRING", start, i + 1);
  }

  /** Validates the escape sequence whose first character (after the backslash) is at
   * `i`; returns the offset after it. */
  private checkEscape(start: number, i: number, quote: number): number {
    const s = this.input;
    if (i >= s.length) this.fail(start, "escape sequence not terminated");
    const c = s.charCodeAt(i);
    let n: number;
    let base: number;
    let max: number;
    switch (c) {
      case 97: case 98: case 102: case 110: case 114: case 116: case 118: case 92:
        return i + 1;
      case 48: case 49: case 50: case 51: case 52: case 53: case 54: case 55:
        n = 3; base = 8; max = 255;
        break;
      case 120: // x
        n = 2; base = 16; max = 255; i++;
        break;
      case 117: // u
        n = 4; base = 16; max = 0x10ffff; i++;
        break;
      case 85: // U
        n = 8; base = 16; max = 0x10ffff; i++;
        break;
      default:
        if (c === quote) return i + 1;
        this.fail(start, `unknown escape sequence ${goQuoteRuneVerbose(this.codePointAt(i))}`);
    }
    let x = 0;
    for (; n > 0; n--, i++) {
      if (i >= s.length) this.fail(start, "escape sequence not terminated");
      const d = s.charCodeAt(i);
      const v = isHexDigit(d) ? (isDigit(d) ? d - 48 : lower(d) - 87) : 16;
      if (v >= base) this.fail(start, `illegal character ${goQuoteRuneVerbose(this.codePointAt(i))} in escape sequence`);
      x = x * base + v;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) this.fail(start, "escape sequence is an invalid Unicode code point");
    return i;
  }

  private lexRawString(start: number): Token {
    const s = this.input;
    let i = start + 1;
    for (;;) {
      if (i >= s.length) this.fail(start, "unterminated raw string");
      const c = s.charCodeAt(i);
      if (c === 96) break;
      if (c === 0xfffd || isLoneSurrogate(s, i)) this.fail(start, "invalid UTF-8 rune");
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return this.tok("STRING", start, i + 1);
  }
}

function isLoneSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    return !(d >= 0xdc00 && d <= 0xdfff);
  }
  return c >= 0xdc00 && c <= 0xdfff;
}

function charAt(s: string, k: number): number {
  return k < s.length ? s.charCodeAt(k) : -1;
}

/** Scans a number the way Prometheus' lexer does: decimal, hex (`0x`), `.5`, `1e3`,
 * underscores between digits. Returns where scanning stopped and whether it is a
 * number (not followed by a letter or digit). */
function scanNumber(s: string, start: number): { ok: boolean; pos: number } {
  let i = start;
  let hex = false;
  if (charAt(s, i) === 48) {
    i++;
    if (lower(charAt(s, i)) === 120) {
      i++;
      hex = true;
      if (charAt(s, i) === C_UNDERSCORE) i++;
    }
  }
  const isNumDigit = hex ? isHexDigit : isDigit;
  if (charAt(s, i) === 46) i++;
  if (isNumDigit(charAt(s, i))) i++;
  let dot = false;
  let exp = false;
  for (;;) {
    const c = charAt(s, i);
    // In hex numbers too, e/E is taken as an exponent first (as Prometheus does).
    const isExp = c === 101 || c === 69;
    if (!(isNumDigit(c) || c === 46 || c === C_UNDERSCORE || isExp)) break;
    if (c === 46) {
      i++;
      if (dot) return { ok: false, pos: i };
      dot = true;
      const d = charAt(s, i);
      if (d === C_UNDERSCORE || d === 46) return { ok: false, pos: i + 1 };
      if (hex) return { ok: false, pos: i };
      continue;
    }
    if (isExp) {
      i++;
      if (exp) return { ok: false, pos: i };
      exp = true;
      const sign = charAt(s, i);
      if (sign === 43 || sign === 45) i++;
      const d = charAt(s, i);
      if (d === 46 || d === C_UNDERSCORE || d === 101 || d === 69) return { ok: false, pos: i + 1 };
      if (d === -1) return { ok: false, pos: i };
      continue;
    }
    if (c === C_UNDERSCORE) {
      i++;
      const d = charAt(s, i);
      if (d === 46 || d === C_UNDERSCORE || d === 101 || d === 69) return { ok: false, pos: i + 1 };
      if (d === -1) return { ok: false, pos: i };
      continue;
    }
    while (isNumDigit(charAt(s, i))) i++;
  }
  if (i === start) return { ok: false, pos: i };
  return { ok: !isAlphaNumeric(charAt(s, i)), pos: i };
}

function isDurationUnit(c: number, withY: boolean): boolean {
  return c === 115 || c === 109 || c === 104 || c === 100 || c === 119 || (withY && c === 121);
}

/** After a number prefix, accepts the rest of a duration like `5m`, `1h30m`, `10ms`. */
function acceptRemainingDuration(s: string, start: number): { ok: boolean; pos: number } {
  let i = start;
  if (!isDurationUnit(charAt(s, i), true)) return { ok: false, pos: i };
  i++;
  if (charAt(s, i) === 115) i++;
  while (isDigit(charAt(s, i))) {
    while (isDigit(charAt(s, i))) i++;
    if (!isDurationUnit(charAt(s, i), false)) return { ok: false, pos: i };
    i++;
    if (charAt(s, i) === 115) i++;
  }
  if (isAlphaNumeric(charAt(s, i))) return { ok: false, pos: i + 1 };
  return { ok: true, pos: i };
}
