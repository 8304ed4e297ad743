/**
 * Translation of Go RE2 regular expression syntax (as Prometheus uses it for label matchers
 * and label_replace) into an equivalent JavaScript RegExp source for the flags "su".
 *
 * The pattern is parsed the way Go's regexp/syntax parses it with `Perl | DotNL` (the flags
 * Prometheus 3 uses): inline flags are resolved while parsing and attached to the pieces
 * they affect, so the emitted JavaScript needs no inline modifiers:
 *
 *  - `i` (case folding): literals and classes are expanded to every simple-case-folding
 *    equivalent (`k` becomes `[Kk\u{212a}]`, `[a-c]` becomes `[A-Ca-c]`), exactly as RE2
 *    folds them; `\d`, `\w`, POSIX classes and `\p{..}` are folded too.
 *  - `s`: `.` is any character; `(?-s)` makes it `[^\n]`.
 *  - `m`: `^`/`$` become `(?<![^\n])`/`(?![^\n])`; outside `m` they are start/end of text.
 *  - `U`: swaps greedy and lazy repetition.
 *
 * Errors carry Go's messages: "error parsing regexp: <code>: `<expr>`".
 */

export class Re2SyntaxError extends Error {}

const FOLD_CASE = 1;
const DOT_NL = 2;
const ONE_LINE = 4;
const NON_GREEDY = 8;

const MAX_RUNE = 0x10ffff;
const MAX_REPEAT = 1000;
const MAX_HEIGHT = 1000;
/** No code point outside this range takes part in case folding. */
const MIN_FOLD = 0x41;
const MAX_FOLD = 0x1ffff;

const ERR_INVALID_CHAR_RANGE = "invalid character class range";
const ERR_INVALID_ESCAPE = "invalid escape sequence";
const ERR_INVALID_NAMED_CAPTURE = "invalid named capture";
const ERR_INVALID_PERL_OP = "invalid or unsupported Perl syntax";
const ERR_INVALID_REPEAT_OP = "invalid nested repetition operator";
const ERR_INVALID_REPEAT_SIZE = "invalid repeat count";
const ERR_INVALID_UTF8 = "invalid UTF-8";
const ERR_MISSING_BRACKET = "missing closing ]";
const ERR_MISSING_PAREN = "missing closing )";
const ERR_MISSING_REPEAT_ARGUMENT = "missing argument to repetition operator";
const ERR_TRAILING_BACKSLASH = "trailing backslash at end of expression";
const ERR_UNEXPECTED_PAREN = "unexpected )";
const ERR_NESTING_DEPTH = "expression nests too deeply";

function fail(code: string, expr: string): never {
  throw new Re2SyntaxError(`error parsing regexp: ${code}: \`${expr}\``);
}

// ---------------------------------------------------------------------------------------
// Code point ranges.

type Range = [number, number];

function normalize(rs: readonly Range[]): Range[] {
  const sorted = rs.map((r): Range => [r[0], r[1]]).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

function complement(rs: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(rs)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

// ---------------------------------------------------------------------------------------
// Simple case folding orbits (the same equivalence RE2 and JavaScript's /iu use).

interface FoldTable {
  /** Sorted code points that have at least one other case-equivalent code point. */
  cased: number[];
  /** Each such code point's orbit (all equivalent code points, itself included). */
  orbit: Map<number, number[]>;
  orbits: number[][];
}

let foldTableCache: FoldTable | undefined;

/** Built lazily (tens of milliseconds) the first time folding meets a non-ASCII code point.
 * Candidates are the code points whose case mappings change them; they are grouped by
 * lower(upper(c)) and the groups are checked against the engine's own case-insensitive
 * comparison (a backreference under /iu), which also joins the few equivalent pairs whose
 * full uppercase mappings are multi-character (e.g. U+0390 and U+1FD3). */
function foldTable(): FoldTable {
  if (foldTableCache) return foldTableCache;
  const chunks: string[] = [];
  for (let c = MIN_FOLD; c <= MAX_FOLD; c += 0x1000) {
    const cps: number[] = [];
    for (let d = c; d < Math.min(c + 0x1000, MAX_FOLD + 1); d++) if (d < 0xd800 || d > 0xdfff) cps.push(d);
    chunks.push(String.fromCodePoint(...cps));
  }
  const candidates: number[] = [];
  for (const m of chunks.join("").matchAll(/\p{Changes_When_Casemapped}/gu)) candidates.push(m[0].codePointAt(0)!);

  const sameRe = /^(.)\1$/iu;
  const same = (a: number, b: number): boolean => sameRe.test(String.fromCodePoint(a, b));
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const groups = new Map<string, number[]>();
  const irregular: number[] = [];
  for (const c of candidates) {
    const ch = String.fromCodePoint(c);
    const up = ch.toUpperCase();
    let key: string;
    if ([...up].length === 1) key = up.toLowerCase();
    else {
      key = ch.toLowerCase();
      irregular.push(c);
    }
    let reps = groups.get(key);
    if (!reps) groups.set(key, (reps = []));
    const rep = reps.find((r) => same(r, c));
    if (rep === undefined) reps.push(c);
    else union(c, rep);
  }
  for (let i = 0; i < irregular.length; i++)
    for (let j = i + 1; j < irregular.length; j++) if (same(irregular[i]!, irregular[j]!)) union(irregular[i]!, irregular[j]!);

  const byRoot = new Map<number, number[]>();
  for (const c of candidates) {
    const r = find(c);
    let o = byRoot.get(r);
    if (!o) byRoot.set(r, (o = []));
    o.push(c);
  }
  const orbit = new Map<number, number[]>();
  const orbits: number[][] = [];
  for (const o of byRoot.values()) {
    if (o.length < 2) continue;
    orbits.push(o);
    for (const c of o) orbit.set(c, o);
  }
  foldTableCache = { cased: [...orbit.keys()].sort((a, b) => a - b), orbit, orbits };
  return foldTableCache;
}

function asciiOrbit(c: number): number[] | undefined {
  let other: number;
  if (c >= 0x41 && c <= 0x5a) other = c + 0x20;
  else if (c >= 0x61 && c <= 0x7a) other = c - 0x20;
  else return undefined;
  const o = [Math.min(c, other), Math.max(c, other)];
  if (o[0] === 0x4b) o.push(0x212a); // Kelvin sign
  if (o[0] === 0x53) o.push(0x17f); // long s
  return o;
}

/** All code points case-equivalent to c, c included. */
export function orbitOf(c: number): number[] {
  if (c < MIN_FOLD || c > MAX_FOLD) return [c];
  if (c < 0x80) return asciiOrbit(c) ?? [c];
  return foldTable().orbit.get(c) ?? [c];
}

/** rs plus everything case-equivalent to a member of rs. */
function foldRanges(rs: readonly Range[]): Range[] {
  const out: Range[] = rs.map((r): Range => [r[0], r[1]]);
  for (const [lo, hi] of rs) {
    if ((lo <= MIN_FOLD && hi >= MAX_FOLD) || hi < MIN_FOLD || lo > MAX_FOLD) continue;
    if (hi < 0x80) {
      for (let c = Math.max(lo, MIN_FOLD); c <= hi; c++) for (const o of asciiOrbit(c) ?? []) out.push([o, o]);
      continue;
    }
    const t = foldTable();
    let a = 0;
    let b = t.cased.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (t.cased[mid]! < lo) a = mid + 1;
      else b = mid;
    }
    for (let i = a; i < t.cased.length && t.cased[i]! <= hi; i++) for (const o of t.orbit.get(t.cased[i]!)!) out.push([o, o]);
  }
  return normalize(out);
}

const propFoldCache = new Map<string, Range[]>();

/** Code points outside the property that are case-equivalent to one inside it. */
function propFoldAdditions(prop: string): Range[] {
  if (prop === "\\p{Any}" || prop === "\\p{Assigned}") return [];
  let add = propFoldCache.get(prop);
  if (add) return add;
  const re = new RegExp(`^${prop}$`, "u");
  const out: Range[] = [];
  for (const o of foldTable().orbits) {
    const inside = o.map((c) => re.test(String.fromCodePoint(c)));
    if (inside.includes(true)) o.forEach((c, i) => inside[i] || out.push([c, c]));
  }
  add = normalize(out);
  propFoldCache.set(prop, add);
  return add;
}

// ---------------------------------------------------------------------------------------
// Named classes and Unicode properties.

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];

const PERL_GROUPS = new Map<string, Range[]>([
  ["d", DIGIT],
  [
    "s",
    [
      [0x09, 0x0a],
      [0x0c, 0x0d],
      [0x20, 0x20],
    ],
  ],
  ["w", WORD],
]);

const POSIX_GROUPS = new Map<string, Range[]>(
  Object.entries({
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
  } satisfies Record<string, Range[]>),
);

const GENERAL_CATEGORIES =
  "C Cc Cf Cn Co Cs L LC Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(" ");

const CATEGORY_ALIASES: Record<string, string> = {
  Cased_Letter: "LC",
  Close_Punctuation: "Pe",
  Combining_Mark: "M",
  Connector_Punctuation: "Pc",
  Control: "Cc",
  Currency_Symbol: "Sc",
  Dash_Punctuation: "Pd",
  Decimal_Number: "Nd",
  Enclosing_Mark: "Me",
  Final_Punctuation: "Pf",
  Format: "Cf",
  Initial_Punctuation: "Pi",
  Letter: "L",
  Letter_Number: "Nl",
  Line_Separator: "Zl",
  Lowercase_Letter: "Ll",
  Mark: "M",
  Math_Symbol: "Sm",
  Modifier_Letter: "Lm",
  Modifier_Symbol: "Sk",
  Nonspacing_Mark: "Mn",
  Number: "N",
  Open_Punctuation: "Ps",
  Other: "C",
  Other_Letter: "Lo",
  Other_Number: "No",
  Other_Punctuation: "Po",
  Other_Symbol: "So",
  Paragraph_Separator: "Zp",
  Private_Use: "Co",
  Punctuation: "P",
  Separator: "Z",
  Space_Separator: "Zs",
  Spacing_Mark: "Mc",
  Surrogate: "Cs",
  Symbol: "S",
  Titlecase_Letter: "Lt",
  Unassigned: "Cn",
  Uppercase_Letter: "Lu",
  cntrl: "Cc",
  digit: "Nd",
  punct: "P",
};

/** Unicode Script property values (long names, as Go's unicode.Scripts spells them). Names
 * the running engine does not know are dropped when the table is built. */
const SCRIPTS = `Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak
Bengali Beria_Erfe Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian
Caucasian_Albanian Chakma Cham Cherokee Chisoi Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan
Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic
Garay Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Gurung_Khema Han Hangul
Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited Inscriptional_Pahlavi
Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi Khitan_Small_Script
Khmer Khojki Khudawadi Kirat_Rai Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani
Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui
Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari
Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Ol_Onal Old_Hungarian
Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur
Oriya Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic
Samaritan Saurashtra Sharada Shavian Siddham Sidetic SignWriting Sinhala Sogdian Sora_Sompeng Soyombo
Sundanese Sunuwar Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Tai_Yo Takri Tamil
Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta Todhri Tolong_Siki Toto Tulu_Tigalari
Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square`.split(/\s+/);

/** Go matches names ignoring case, spaces, underscores and hyphens. */
function canonicalName(name: string): string {
  return name.replace(/[ _-]/g, "").toLowerCase();
}

let propertyTable: Map<string, string> | undefined;

function lookupProperty(name: string): string | undefined {
  if (!propertyTable) {
    const t = new Map<string, string>();
    t.set("any", "\\p{Any}");
    t.set("assigned", "\\p{Assigned}");
    t.set("ascii", "\\p{ASCII}");
    for (const sc of SCRIPTS) {
      const js = `\\p{Script=${sc}}`;
      try {
        new RegExp(js, "u");
        t.set(canonicalName(sc), js);
      } catch {
        // Not known to this engine's Unicode version.
      }
    }
    for (const [alias, gc] of Object.entries(CATEGORY_ALIASES)) t.set(canonicalName(alias), `\\p{${gc}}`);
    for (const gc of GENERAL_CATEGORIES) t.set(canonicalName(gc), `\\p{${gc}}`);
    propertyTable = t;
  }
  return propertyTable.get(canonicalName(name));
}

// ---------------------------------------------------------------------------------------
// Character classes.

interface ClassSet {
  ranges: Range[];
  /** JavaScript property escapes in the union: `\p{..}` or `\P{..}`. */
  props: string[];
  /** Members of the form "not (prop or plus)": a negated property under case folding. */
  minus: { prop: string; plus: Range[] }[];
  negated: boolean;
}

class ClassBuilder {
  readonly ranges: Range[] = [];
  readonly props: string[] = [];
  readonly minus: { prop: string; plus: Range[] }[] = [];

  constructor(private readonly fold: boolean) {}

  addRange(lo: number, hi: number): void {
    if (this.fold) this.ranges.push(...foldRanges([[lo, hi]]));
    else this.ranges.push([lo, hi]);
  }

  addGroup(rs: readonly Range[], negated: boolean): void {
    let r = this.fold ? foldRanges(rs) : normalize(rs);
    if (negated) r = complement(r);
    this.ranges.push(...r);
  }

  addProperty(prop: string, positive: boolean): void {
    const add = this.fold ? propFoldAdditions(prop) : [];
    if (positive) {
      this.props.push(prop);
      this.ranges.push(...add);
    } else if (add.length === 0) this.props.push(`\\P${prop.slice(2)}`);
    else this.minus.push({ prop, plus: add });
  }

  build(negated: boolean): ClassSet {
    return { ranges: normalize(this.ranges), props: this.props, minus: this.minus, negated };
  }
}

function hexEscape(c: number): string {
  return `\\u{${c.toString(16)}}`;
}

function escapeChar(c: number): string {
  if (c >= 0x20 && c < 0x7f) {
    const ch = String.fromCharCode(c);
    return "^$\\.*+?()[]{}|/".includes(ch) ? `\\${ch}` : ch;
  }
  return hexEscape(c);
}

function escapeClassChar(c: number): string {
  if (c >= 0x20 && c < 0x7f) {
    const ch = String.fromCharCode(c);
    return "\\]^-[".includes(ch) ? `\\${ch}` : ch;
  }
  return hexEscape(c);
}

function rangesSource(rs: readonly Range[]): string {
  let s = "";
  for (const [lo, hi] of rs) {
    s += escapeClassChar(lo);
    if (hi === lo + 1) s += escapeClassChar(hi);
    else if (hi > lo) s += `-${escapeClassChar(hi)}`;
  }
  return s;
}

function classSource(set: ClassSet): string {
  const body = rangesSource(set.ranges) + set.props.join("");
  if (set.minus.length === 0) return `[${set.negated ? "^" : ""}${body}]`;
  if (!set.negated) {
    const alts = body ? [`[${body}]`] : [];
    for (const m of set.minus) alts.push(`(?![${m.prop}${rangesSource(m.plus)}])[^]`);
    return `(?:${alts.join("|")})`;
  }
  return `(?:${set.minus.map((m) => `(?=[${m.prop}${rangesSource(m.plus)}])`).join("")}[^${body}])`;
}

// ---------------------------------------------------------------------------------------
// Syntax tree (already resolved against the inline flags).

/** A parsed pattern, inline flags already applied to each piece. */
export type Re2Node = Node;

type Node =
  | { t: "empty"; h: number }
  | { t: "lit"; cp: number; fold: boolean; h: number }
  | { t: "class"; set: ClassSet; h: number }
  | { t: "any"; nl: boolean; h: number }
  | { t: "assert"; src: string; h: number }
  | { t: "cap"; name: string | undefined; sub: Node; h: number }
  | { t: "rep"; min: number; max: number; greedy: boolean; braces: boolean; sub: Node; h: number }
  | { t: "cat"; subs: Node[]; h: number }
  | { t: "alt"; subs: Node[]; h: number };

interface Frame {
  alts: Node[];
  cur: Node[];
  /** Flags to restore when the group closes. */
  flags: number;
  /** Capture index, 0 for a non-capturing group. */
  cap: number;
  name: string | undefined;
}

/** Go's repeatIsValid: nested counted repetitions may not multiply past 1000 copies. */
function repeatIsValid(n: Node, limit: number): boolean {
  if (n.t === "rep" && n.braces) {
    let m = n.max;
    if (m === 0) return true;
    if (m < 0) m = n.min;
    if (m > limit) return false;
    if (m > 0) limit = Math.floor(limit / m);
  }
  switch (n.t) {
    case "cap":
    case "rep":
      return repeatIsValid(n.sub, limit);
    case "cat":
    case "alt":
      return n.subs.every((s) => repeatIsValid(s, limit));
    default:
      return true;
  }
}

function maxHeight(ns: readonly Node[]): number {
  let h = 0;
  for (const n of ns) h = Math.max(h, n.h);
  return h;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function isOctal(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x37;
}

class Parser {
  private flags = DOT_NL | ONE_LINE;
  private readonly frames: Frame[] = [{ alts: [], cur: [], flags: 0, cap: 0, name: undefined }];
  private numCap = 0;
  private readonly names = new Set<string>();

  constructor(private readonly src: string) {}

  private cp(i: number): number | undefined {
    return this.src.codePointAt(i);
  }

  private width(c: number): number {
    return c > 0xffff ? 2 : 1;
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  private height(h: number): number {
    if (h > MAX_HEIGHT) fail(ERR_NESTING_DEPTH, this.src);
    return h;
  }

  private push(n: Node): void {
    this.frame.cur.push(n);
  }

  private literal(c: number): void {
    this.push({ t: "lit", cp: c, fold: (this.flags & FOLD_CASE) !== 0, h: 1 });
  }

  private concat(items: Node[]): Node {
    if (items.length === 0) return { t: "empty", h: 1 };
    if (items.length === 1) return items[0]!;
    const subs: Node[] = [];
    for (const n of items) if (n.t === "cat") for (const s of n.subs) subs.push(s);
    else subs.push(n);
    return { t: "cat", subs, h: this.height(1 + maxHeight(subs)) };
  }

  private alternate(items: Node[]): Node {
    if (items.length === 1) return items[0]!;
    const subs: Node[] = [];
    for (const n of items) if (n.t === "alt") for (const s of n.subs) subs.push(s);
    else subs.push(n);
    return { t: "alt", subs, h: this.height(1 + maxHeight(subs)) };
  }

  parse(): Node {
    const src = this.src;
    const n = src.length;
    let i = 0;
    let lastRepeat = -1;
    while (i < n) {
      let repeat = -1;
      const c = this.cp(i)!;
      switch (c) {
        case 0x28: // (
          if (src[i + 1] === "?") i = this.parsePerlFlags(i);
          else {
            this.frames.push({ alts: [], cur: [], flags: this.flags, cap: ++this.numCap, name: undefined });
            i++;
          }
          break;
        case 0x7c: // |
          this.frame.alts.push(this.concat(this.frame.cur));
          this.frame.cur = [];
          i++;
          break;
        case 0x29: // )
          this.closeGroup();
          i++;
          break;
        case 0x5e: // ^
          this.push({ t: "assert", src: this.flags & ONE_LINE ? "^" : "(?<![^\\n])", h: 1 });
          i++;
          break;
        case 0x24: // $
          this.push({ t: "assert", src: this.flags & ONE_LINE ? "$" : "(?![^\\n])", h: 1 });
          i++;
          break;
        case 0x2e: // .
          this.push({ t: "any", nl: (this.flags & DOT_NL) !== 0, h: 1 });
          i++;
          break;
        case 0x5b: // [
          i = this.parseClass(i);
          break;
        case 0x2a: // *
        case 0x2b: // +
        case 0x3f: // ?
          repeat = i;
          i = this.repeat(c === 0x2b ? 1 : 0, c === 0x3f ? 1 : -1, false, i, i + 1, lastRepeat);
          break;
        case 0x7b: {
          // {
          const r = this.parseRepeat(i);
          if (!r) {
            this.literal(c);
            i++;
            break;
          }
          if (r.min < 0 || r.min > MAX_REPEAT || r.max > MAX_REPEAT || (r.max >= 0 && r.min > r.max))
            fail(ERR_INVALID_REPEAT_SIZE, src.slice(i, r.end));
          repeat = i;
          i = this.repeat(r.min, r.max, true, i, r.end, lastRepeat);
          break;
        }
        case 0x5c: // backslash
          i = this.parseBackslash(i);
          break;
        default:
          this.literal(c);
          i += this.width(c);
      }
      lastRepeat = repeat;
    }
    if (this.frames.length !== 1) fail(ERR_MISSING_PAREN, src);
    const top = this.frame;
    top.alts.push(this.concat(top.cur));
    return this.alternate(top.alts);
  }

  private closeGroup(): void {
    if (this.frames.length === 1) fail(ERR_UNEXPECTED_PAREN, this.src);
    const f = this.frames.pop()!;
    f.alts.push(this.concat(f.cur));
    let node = this.alternate(f.alts);
    this.flags = f.flags;
    if (f.cap) node = { t: "cap", name: f.name, sub: node, h: this.height(node.h + 1) };
    this.push(node);
  }

  /** Applies a repetition operator spanning src[before, after) to the last piece. */
  private repeat(min: number, max: number, braces: boolean, before: number, after: number, lastRepeat: number): number {
    let flags = this.flags;
    if (this.src[after] === "?") {
      after++;
      flags ^= NON_GREEDY;
    }
    if (lastRepeat >= 0) fail(ERR_INVALID_REPEAT_OP, this.src.slice(lastRepeat, after));
    const cur = this.frame.cur;
    const sub = cur.pop();
    if (!sub) fail(ERR_MISSING_REPEAT_ARGUMENT, this.src.slice(before, after));
    const node: Node = { t: "rep", min, max, greedy: (flags & NON_GREEDY) === 0, braces, sub, h: this.height(sub.h + 1) };
    cur.push(node);
    if (braces && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT))
      fail(ERR_INVALID_REPEAT_SIZE, this.src.slice(before, after));
    return after;
  }

  /** {n}, {n,} or {n,m} at i; undefined when it is not of that form (then { is literal). */
  private parseRepeat(i: number): { min: number; max: number; end: number } | undefined {
    const src = this.src;
    let j = i + 1;
    const parseInt = (): number | undefined => {
      const start = j;
      if (!(src[j]! >= "0" && src[j]! <= "9")) return undefined;
      if (src[j] === "0" && src[j + 1]! >= "0" && src[j + 1]! <= "9") return undefined; // leading zero
      while (src[j]! >= "0" && src[j]! <= "9") j++;
      const digits = src.slice(start, j);
      return digits.length > 8 ? -1 : Number(digits);
    };
    let min = parseInt();
    if (min === undefined || j >= src.length) return undefined;
    let max: number;
    if (src[j] !== ",") max = min;
    else {
      j++;
      if (j >= src.length) return undefined;
      if (src[j] === "}") max = -1;
      else {
        const m = parseInt();
        if (m === undefined) return undefined;
        max = m;
        if (max < 0) min = -1;
      }
    }
    if (src[j] !== "}") return undefined;
    return { min, max, end: j + 1 };
  }

  /** Handles "(?" at i: named captures, flag changes and non-capturing groups. */
  private parsePerlFlags(i: number): number {
    const src = this.src;
    const n = src.length;
    const startsWithP = n - i > 4 && src[i + 2] === "P" && src[i + 3] === "<";
    const startsWithName = n - i > 3 && src[i + 2] === "<";
    if (startsWithP || startsWithName) {
      const begin = i + (startsWithP ? 4 : 3);
      const end = src.indexOf(">", i);
      if (end < 0) fail(ERR_INVALID_NAMED_CAPTURE, src.slice(i));
      const name = src.slice(begin, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) fail(ERR_INVALID_NAMED_CAPTURE, src.slice(i, end + 1));
      // JavaScript group names must be unique identifiers; Go allows duplicates and a leading
      // digit. Such groups stay capturing (numbering is unchanged) but are left unnamed.
      let jsName: string | undefined;
      if (/^[A-Za-z_]/.test(name) && !this.names.has(name)) {
        jsName = name;
        this.names.add(name);
      }
      this.frames.push({ alts: [], cur: [], flags: this.flags, cap: ++this.numCap, name: jsName });
      return end + 1;
    }

    let flags = this.flags;
    let negate = false;
    let sawFlag = false;
    let j = i + 2;
    while (j < n) {
      const c = this.cp(j)!;
      j += this.width(c);
      let bit = 0;
      switch (c) {
        case 0x69: // i
          bit = FOLD_CASE;
          break;
        case 0x73: // s
          bit = DOT_NL;
          break;
        case 0x55: // U
          bit = NON_GREEDY;
          break;
        case 0x6d: // m clears OneLine
          sawFlag = true;
          flags = negate ? flags | ONE_LINE : flags & ~ONE_LINE;
          continue;
        case 0x2d: // -
          if (negate) fail(ERR_INVALID_PERL_OP, src.slice(i, j));
          negate = true;
          sawFlag = false;
          continue;
        case 0x3a: // :
        case 0x29: // )
          if (negate && !sawFlag) fail(ERR_INVALID_PERL_OP, src.slice(i, j));
          if (c === 0x3a) this.frames.push({ alts: [], cur: [], flags: this.flags, cap: 0, name: undefined });
          this.flags = flags;
          return j;
        default:
          fail(ERR_INVALID_PERL_OP, src.slice(i, j));
      }
      sawFlag = true;
      flags = negate ? flags & ~bit : flags | bit;
    }
    fail(ERR_INVALID_PERL_OP, src.slice(i));
  }

  /** Handles a backslash at i outside a class. */
  private parseBackslash(i: number): number {
    const src = this.src;
    switch (src[i + 1]) {
      case "A":
        this.push({ t: "assert", src: "^", h: 1 });
        return i + 2;
      case "z":
        this.push({ t: "assert", src: "$", h: 1 });
        return i + 2;
      case "b":
        this.push({ t: "assert", src: "\\b", h: 1 });
        return i + 2;
      case "B":
        this.push({ t: "assert", src: "\\B", h: 1 });
        return i + 2;
      case "C":
        return fail(ERR_INVALID_ESCAPE, "\\C");
      case "Q": {
        const end = src.indexOf("\\E", i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        for (const ch of lit) this.literal(ch.codePointAt(0)!);
        return end < 0 ? src.length : end + 2;
      }
    }
    const fold = (this.flags & FOLD_CASE) !== 0;
    const builder = new ClassBuilder(fold);
    let next = this.parseUnicodeClass(i, builder);
    if (next === undefined) next = this.parsePerlClass(i, builder);
    if (next !== undefined) {
      this.push({ t: "class", set: builder.build(false), h: 1 });
      return next;
    }
    const e = this.parseEscape(i);
    this.literal(e.cp);
    return e.end;
  }

  /** \d \D \s \S \w \W at i. */
  private parsePerlClass(i: number, builder: ClassBuilder): number | undefined {
    if (this.src[i] !== "\\") return undefined;
    const letter = this.src[i + 1] ?? "";
    const group = "dswDSW".includes(letter) ? PERL_GROUPS.get(letter.toLowerCase()) : undefined;
    if (!letter || !group) return undefined;
    builder.addGroup(group, letter !== letter.toLowerCase());
    return i + 2;
  }

  /** \pL, \p{Name}, \P{Name}, \p{^Name} at i. */
  private parseUnicodeClass(i: number, builder: ClassBuilder): number | undefined {
    const src = this.src;
    if (src[i] !== "\\" || (src[i + 1] !== "p" && src[i + 1] !== "P")) return undefined;
    let positive = src[i + 1] === "p";
    let name: string;
    let end: number;
    const c = this.cp(i + 2);
    if (c !== 0x7b) {
      end = c === undefined ? i + 2 : i + 2 + this.width(c);
      name = src.slice(i + 2, end);
    } else {
      const close = src.indexOf("}", i);
      if (close < 0) fail(ERR_INVALID_CHAR_RANGE, src.slice(i));
      end = close + 1;
      name = src.slice(i + 3, close);
    }
    if (name.startsWith("^")) {
      positive = !positive;
      name = name.slice(1);
    }
    const prop = lookupProperty(name);
    if (!prop) fail(ERR_INVALID_CHAR_RANGE, src.slice(i, end));
    builder.addProperty(prop, positive);
    return end;
  }

  /** A single-character escape at i (the backslash). */
  private parseEscape(i: number): { cp: number; end: number } {
    const src = this.src;
    let j = i + 1;
    const c = this.cp(j);
    if (c === undefined) fail(ERR_TRAILING_BACKSLASH, "");
    j += this.width(c);
    const bad = (): never => fail(ERR_INVALID_ESCAPE, src.slice(i, j));
    if (c >= 0x31 && c <= 0x37 && !isOctal(this.cp(j))) bad(); // \1-\7 alone: a backreference
    if (c >= 0x30 && c <= 0x37) {
      let r = c - 0x30;
      for (let k = 1; k < 3 && isOctal(this.cp(j)); k++) r = r * 8 + (this.cp(j++)! - 0x30);
      return { cp: r, end: j };
    }
    switch (c) {
      case 0x78: {
        // x
        const d = this.cp(j);
        if (d === undefined) bad();
        j += this.width(d!);
        if (d === 0x7b) {
          let r = 0;
          let digits = 0;
          for (;;) {
            const h = this.cp(j);
            if (h === undefined) bad();
            j += this.width(h!);
            if (h === 0x7d) break;
            const v = unhex(h!);
            if (v < 0) bad();
            r = r * 16 + v;
            if (r > MAX_RUNE) bad();
            digits++;
          }
          if (digits === 0) bad();
          return { cp: r, end: j };
        }
        const x = unhex(d!);
        const e = this.cp(j);
        if (e !== undefined) j += this.width(e);
        const y = e === undefined ? -1 : unhex(e);
        if (x < 0 || y < 0) bad();
        return { cp: x * 16 + y, end: j };
      }
      case 0x61: // a
        return { cp: 7, end: j };
      case 0x66: // f
        return { cp: 12, end: j };
      case 0x6e: // n
        return { cp: 10, end: j };
      case 0x72: // r
        return { cp: 13, end: j };
      case 0x74: // t
        return { cp: 9, end: j };
      case 0x76: // v
        return { cp: 11, end: j };
    }
    if (c < 0x80 && !isAlnum(c)) return { cp: c, end: j };
    return bad();
  }

  /** A bracketed class starting at i. */
  private parseClass(i: number): number {
    const src = this.src;
    const n = src.length;
    const fold = (this.flags & FOLD_CASE) !== 0;
    const builder = new ClassBuilder(fold);
    let j = i + 1;
    let negated = false;
    if (src[j] === "^") {
      negated = true;
      j++;
    }
    const classChar = (k: number): { cp: number; end: number } => {
      if (k >= n) fail(ERR_MISSING_BRACKET, src.slice(i));
      if (src[k] === "\\") return this.parseEscape(k);
      const c = this.cp(k)!;
      return { cp: c, end: k + this.width(c) };
    };
    let first = true;
    while (j >= n || src[j] !== "]" || first) {
      first = false;
      if (n - j > 2 && src[j] === "[" && src[j + 1] === ":") {
        const close = src.indexOf(":]", j + 2);
        if (close >= 0) {
          const name = src.slice(j, close + 2);
          const neg = name[2] === "^";
          const group = POSIX_GROUPS.get(name.slice(neg ? 3 : 2, -2));
          if (!group) fail(ERR_INVALID_CHAR_RANGE, name);
          builder.addGroup(group, neg);
          j = close + 2;
          continue;
        }
      }
      let next = this.parseUnicodeClass(j, builder);
      if (next === undefined) next = this.parsePerlClass(j, builder);
      if (next !== undefined) {
        j = next;
        continue;
      }
      const rangeStart = j;
      const lo = classChar(j);
      j = lo.end;
      let hi = lo;
      if (n - j >= 2 && src[j] === "-" && src[j + 1] !== "]") {
        hi = classChar(j + 1);
        j = hi.end;
        if (hi.cp < lo.cp) fail(ERR_INVALID_CHAR_RANGE, src.slice(rangeStart, j));
      }
      builder.addRange(lo.cp, hi.cp);
    }
    this.push({ t: "class", set: builder.build(negated), h: 1 });
    return j + 1;
  }
}

// ---------------------------------------------------------------------------------------
// Emission.

type Kind = "atom" | "seq" | "alt" | "quant" | "assert";

function emit(n: Node): { s: string; k: Kind } {
  switch (n.t) {
    case "empty":
      return { s: "", k: "seq" };
    case "lit": {
      if (!n.fold) return { s: escapeChar(n.cp), k: "atom" };
      const o = orbitOf(n.cp);
      if (o.length === 1) return { s: escapeChar(n.cp), k: "atom" };
      return { s: `[${o.map(escapeClassChar).join("")}]`, k: "atom" };
    }
    case "any":
      return { s: n.nl ? "." : "[^\\n]", k: "atom" };
    case "class":
      return { s: classSource(n.set), k: "atom" };
    case "assert":
      return { s: n.src, k: "assert" };
    case "cap":
      return { s: `(${n.name ? `?<${n.name}>` : ""}${emit(n.sub).s})`, k: "atom" };
    case "rep": {
      const sub = emit(n.sub);
      let q: string;
      if (!n.braces) q = n.min === 1 ? "+" : n.max === 1 ? "?" : "*";
      else if (n.max === n.min) q = `{${n.min}}`;
      else q = `{${n.min},${n.max < 0 ? "" : n.max}}`;
      return { s: (sub.k === "atom" ? sub.s : `(?:${sub.s})`) + q + (n.greedy ? "" : "?"), k: "quant" };
    }
    case "cat":
      return {
        s: n.subs
          .map((s) => {
            const e = emit(s);
            return e.k === "alt" ? `(?:${e.s})` : e.s;
          })
          .join(""),
        k: "seq",
      };
    case "alt":
      return { s: n.subs.map((s) => emit(s).s).join("|"), k: "alt" };
  }
}

/** Flags the translated source must be compiled with. */
export const RE2_JS_FLAGS = "su";

/**
 * Translates an RE2 pattern (Prometheus syntax: Perl flags with `.` matching newlines) into
 * JavaScript RegExp source with the same meaning under the flags {@link RE2_JS_FLAGS}. Capture
 * group numbering is preserved. Throws Re2SyntaxError with Go's message for invalid patterns.
 */
export function translateRe2(src: string): string {
  return emit(parseRe2(src)).s;
}

/** Parses an RE2 pattern as Go does with `Perl | DotNL`; throws Re2SyntaxError with Go's
 * message for invalid patterns. */
export function parseRe2(src: string): Re2Node {
  for (let i = 0; i < src.length; i++) {
    const u = src.charCodeAt(i);
    if (u < 0xd800 || u > 0xdfff) continue;
    const next = src.charCodeAt(i + 1);
    // A lone surrogate is the UTF-16 counterpart of invalid UTF-8.
    if (u > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) fail(ERR_INVALID_UTF8, src.slice(i));
    i++;
  }
  return new Parser(src).parse();
}
