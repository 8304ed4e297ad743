/**
 * Every user-supplied regular expression (label matchers, relabel rules, label_replace,
 * template functions, file SD globs) runs through this class, never through V8's
 * backtracking RegExp: a pattern like `(a+)+b` against 32 `a`s took V8 26 s, and the
 * Durable Object running it stalled with it. Matching here is linear in the input:
 *
 *  - patterns whose parsed RE2 tree is a literal, a set of literals, or literals joined by
 *    `.*`/`.+` (optionally all under `(?i)`), or a single class repeated (`[0-9]+`), are
 *    answered by string operations decided from that tree, so they mean exactly what the
 *    regex means (the shortcuts Prometheus' FastRegexMatcher takes);
 *  - everything else runs on re2js, a port of Go's regexp (RE2 automata, no backtracking).
 *
 * Syntax is checked by ./re2.ts first, so errors carry Go's "error parsing regexp: ..." text.
 */
import { RE2JS } from "re2js";
import { orbitOf, parseRe2, type Re2Node } from "./re2.js";

/** A match as JavaScript's RegExp.exec returns it: [whole, group 1, ...] with `index`
 * (UTF-16 offset) and `groups` for named groups; unmatched groups are undefined. */
export type RegexMatch = RegExpExecArray;

type Piece = { lit: string } | { gap: number };

export class Regex {
  private engine: RE2JS | undefined;
  private readonly test_: (v: string) => boolean;

  private constructor(
    /** The pattern as the user wrote it. */
    readonly source: string,
    private readonly engineSource: string,
    /** Capture names by group number (Go allows duplicates: the leftmost wins). */
    private readonly names: ReadonlyMap<string, number>,
    fast: ((v: string) => boolean) | undefined,
    /** A cheap necessary condition checked before the automaton (literal prefix/suffix). */
    filter?: (v: string) => boolean,
  ) {
    if (fast !== undefined) this.test_ = fast;
    else {
      // Compile now so that engine limits surface at compile time, not mid-query.
      const re = this.re2();
      this.test_ = filter === undefined ? (v) => re.test(v) : (v) => filter(v) && re.test(v);
    }
  }

  /** A Prometheus regex: fully anchored (`^(?:re)$`), `.` matching newlines, Perl flags. */
  static anchored(src: string): Regex {
    const tree = parseRe2(src);
    const body = engineSource(tree);
    return new Regex(src, body === undefined ? `^(?s:${src})$` : `\\A(?:${body})\\z`, groupNames(tree), fastMatcher(tree), affixFilter(tree));
  }

  /** Go's regexp.Compile: unanchored, `.` not matching newlines. */
  static unanchored(src: string): Regex {
    // Parse the pattern alone first so that errors quote exactly what the user wrote.
    parseRe2(src);
    const tree = parseRe2(`(?-s)${src}`);
    return new Regex(src, engineSource(tree) ?? src, groupNames(tree), undefined);
  }

  /** For anchored patterns: the whole value matches. Otherwise: some substring does. */
  test(v: string): boolean {
    return this.test_(v);
  }

  /** The leftmost-first match starting the search at `from` (the text before `from`
   * still counts for `^` and `\b`), with its capture groups. */
  exec(v: string, from = 0): RegexMatch | null {
    const m = this.re2().matcher(v);
    if (!m.find(from)) return null;
    const n = m.groupCount();
    const out: string[] = [];
    for (let i = 0; i <= n; i++) out.push(m.group(i) ?? (undefined as unknown as string));
    const res = out as RegexMatch;
    res.index = m.start();
    res.input = v;
    let groups: Record<string, string> | undefined;
    for (const [name, i] of this.names) (groups ??= {})[name] = out[i]!;
    res.groups = groups;
    return res;
  }

  private re2(): RE2JS {
    if (this.engine === undefined) {
      try {
        this.engine = RE2JS.compile(this.engineSource);
      } catch (e) {
        // ./re2.ts accepted the pattern; only the engine's own limits get here.
        throw new Error(`error parsing regexp: ${(e as Error).message}`);
      }
    }
    return this.engine;
  }
}

// ---------------------------------------------------------------------------------------
// The tree re-emitted for re2js. Everything the flags decided is already explicit in it
// (case folding as classes of the fold orbit, `.` with or without newline, `^`/`$` per
// `m`), so re2js only executes it and Go's reading of the pattern (Unicode property names,
// duplicate group names) is the one that counts.

function hex(c: number): string {
  return `\\x{${c.toString(16)}}`;
}

function classBody(ranges: readonly [number, number][]): string {
  let s = "";
  for (const [lo, hi] of ranges) s += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
  return s;
}

/** A JavaScript property escape (as ./re2.ts resolves names) in RE2 class syntax. */
function propertySource(js: string): string | undefined {
  const m = /^\\([pP])\{(?:Script=)?([A-Za-z_]+)\}$/.exec(js);
  if (m === null) return undefined;
  const neg = m[1] === "P";
  switch (m[2]) {
    case "Any":
      return neg ? "" : classBody([[0, 0x10ffff]]);
    case "ASCII":
      return classBody([neg ? [0x80, 0x10ffff] : [0, 0x7f]]);
    case "Assigned":
      return neg ? "\\p{Cn}" : "\\P{Cn}";
    default:
      return `\\${m[1]}{${m[2]}}`;
  }
}

const ASSERTIONS: Record<string, string> = {
  "^": "\\A",
  $: "\\z",
  "(?<![^\\n])": "(?m:^)",
  "(?![^\\n])": "(?m:$)",
  "\\b": "\\b",
  "\\B": "\\B",
};

function engineSource(n: Re2Node): string | undefined {
  switch (n.t) {
    case "empty":
      return "(?:)";
    case "lit": {
      const o = n.fold ? orbitOf(n.cp) : [n.cp];
      return o.length === 1 ? hex(n.cp) : `[${o.map(hex).join("")}]`;
    }
    case "any":
      return n.nl ? "(?s:.)" : "[^\\n]";
    case "class": {
      if (n.set.minus.length > 0) return undefined;
      let body = classBody(n.set.ranges);
      for (const p of n.set.props) {
        const s = propertySource(p);
        if (s === undefined) return undefined;
        body += s;
      }
      if (body === "") return n.set.negated ? "(?s:.)" : "[^\\x{0}-\\x{10ffff}]";
      return `[${n.set.negated ? "^" : ""}${body}]`;
    }
    case "assert":
      return ASSERTIONS[n.src];
    case "cap": {
      const s = engineSource(n.sub);
      return s === undefined ? undefined : `(${s})`;
    }
    case "rep": {
      const s = engineSource(n.sub);
      if (s === undefined) return undefined;
      let q: string;
      if (!n.braces) q = n.min === 1 ? "+" : n.max === 1 ? "?" : "*";
      else q = n.max === n.min ? `{${n.min}}` : `{${n.min},${n.max < 0 ? "" : n.max}}`;
      return `(?:${s})${q}${n.greedy ? "" : "?"}`;
    }
    case "cat":
    case "alt": {
      const parts: string[] = [];
      for (const sub of n.subs) {
        const s = engineSource(sub);
        if (s === undefined) return undefined;
        parts.push(`(?:${s})`);
      }
      return parts.join(n.t === "alt" ? "|" : "");
    }
  }
}

function groupNames(tree: Re2Node): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  const walk = (n: Re2Node): void => {
    if (n.t === "cap") {
      i++;
      if (n.name !== undefined && !out.has(n.name)) out.set(n.name, i);
      walk(n.sub);
    } else if (n.t === "rep") walk(n.sub);
    else if (n.t === "cat" || n.t === "alt") n.subs.forEach(walk);
  };
  walk(tree);
  return out;
}

// ---------------------------------------------------------------------------------------
// Fast paths, decided from the parsed tree (captures do not change what matches).

function fastMatcher(tree: Re2Node): ((v: string) => boolean) | undefined {
  const lits = literalSet(tree);
  if (lits !== undefined) {
    const set = lits.set;
    if (lits.fold) {
      // Case folding keeps UTF-16 lengths (orbits stay inside or outside the BMP), so the
      // length rules most values out before any folding.
      const lengths = new Set([...set].map((l) => l.length));
      return (v) => lengths.has(v.length) && set.has(canonical(v));
    }
    return set.size === 1 ? eqMatcher([...set][0]!) : (v) => set.has(v);
  }
  const cls = classRepeat(tree);
  if (cls !== undefined) return cls;
  const pieces = flatten(tree);
  if (pieces === undefined) return undefined;
  if (pieces.fold) {
    const ps = pieces.list.map((p): Piece => ("lit" in p ? { lit: canonical(p.lit) } : p));
    const glob = globMatcher(ps);
    return (v) => glob(canonical(v));
  }
  return globMatcher(pieces.list);
}

function eqMatcher(s: string): (v: string) => boolean {
  return (v) => v === s;
}

function unwrap(n: Re2Node): Re2Node {
  while (n.t === "cap") n = n.sub;
  return n;
}

/** The strings matched by a literal or an alternation of literals. With `fold` (some
 * alternative is under `(?i)`), the set holds case-canonical strings and so must the
 * value; an alternative with case-sensitive letters then rules the shortcut out. */
function literalSet(n: Re2Node): { set: Set<string>; fold: boolean } | undefined {
  n = unwrap(n);
  const alts = n.t === "alt" ? n.subs : [n];
  const lits: { lit: string; fold: boolean }[] = [];
  for (const a of alts) {
    const f = flatten(a);
    if (f === undefined || f.list.some((p) => "gap" in p)) return undefined;
    lits.push({ lit: f.list.length === 0 ? "" : (f.list[0] as { lit: string }).lit, fold: f.fold });
  }
  const fold = lits.some((l) => l.fold);
  if (fold && lits.some((l) => !l.fold && hasCaseVariants(l.lit))) return undefined;
  return { set: new Set(lits.map((l) => (fold ? canonical(l.lit) : l.lit))), fold };
}

function hasCaseVariants(s: string): boolean {
  for (const ch of s) if (orbitOf(ch.codePointAt(0)!).length > 1) return true;
  return false;
}

/** For patterns left to the automaton: the case-sensitive literal text every match must
 * start and end with (`10\.0\.[0-9]+:9100` needs "10.0." and ":9100"). Most label values
 * a matcher meets fail this, and a string comparison is far cheaper than the automaton. */
function affixFilter(tree: Re2Node): ((v: string) => boolean) | undefined {
  const n = unwrap(tree);
  const subs = n.t === "cat" ? n.subs : [n];
  const plain = (x: Re2Node): string | undefined => {
    x = unwrap(x);
    return x.t === "lit" && orbitOf(x.cp).length === 1 ? String.fromCodePoint(x.cp) : x.t === "lit" && !x.fold ? String.fromCodePoint(x.cp) : undefined;
  };
  let prefix = "";
  let i = 0;
  for (; i < subs.length; i++) {
    const c = plain(subs[i]!);
    if (c === undefined) break;
    prefix += c;
  }
  let suffix = "";
  for (let j = subs.length - 1; j > i; j--) {
    const c = plain(subs[j]!);
    if (c === undefined) break;
    suffix = c + suffix;
  }
  if (prefix === "" && suffix === "") return undefined;
  return (v) => v.startsWith(prefix) && v.endsWith(suffix);
}

/**
 * A sequence of literals and `.*`/`.+` runs (gap = the minimum number of code points).
 * `fold` when case folding matters: every literal then matches case-insensitively and the
 * caller compares case-canonical strings. A case-sensitive letter mixed with `(?i)` ones
 * cannot be expressed that way, so such trees get no fast path.
 */
function flatten(n: Re2Node): { list: Piece[]; fold: boolean } | undefined {
  const list: Piece[] = [];
  let fold = false;
  let strict = false;
  const walk = (n: Re2Node): boolean => {
    switch (n.t) {
      case "empty":
        return true;
      case "cap":
        return walk(n.sub);
      case "cat":
        return n.subs.every(walk);
      case "lit": {
        const folds = orbitOf(n.cp).length > 1;
        if (folds && n.fold) fold = true;
        else if (folds) strict = true;
        pushLit(list, String.fromCodePoint(n.cp));
        return true;
      }
      case "rep": {
        const sub = unwrap(n.sub);
        if (sub.t !== "any" || !sub.nl || n.max !== -1 || n.min > 1) return false;
        const last = list[list.length - 1];
        if (last !== undefined && "gap" in last) last.gap += n.min;
        else list.push({ gap: n.min });
        return true;
      }
      default:
        return false;
    }
  };
  if (!walk(n) || (fold && strict)) return undefined;
  return { list, fold };
}

function pushLit(list: Piece[], s: string): void {
  const last = list[list.length - 1];
  if (last !== undefined && "lit" in last) last.lit += s;
  else list.push({ lit: s });
}

/** Index just past `k` code points from `pos`, or -1 when the string ends first. */
function advance(v: string, pos: number, k: number): number {
  for (; k > 0; k--) {
    if (pos >= v.length) return -1;
    const u = v.charCodeAt(pos);
    pos += u >= 0xd800 && u <= 0xdbff && pos + 1 < v.length && (v.charCodeAt(pos + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return pos;
}

/** Literals separated by runs of "any code points, at least `gap` of them". Placing each
 * middle literal at its leftmost possible position is optimal because gaps are unbounded. */
function globMatcher(ps: Piece[]): (v: string) => boolean {
  const first = ps[0];
  const prefix = first !== undefined && "lit" in first ? first.lit : "";
  const last = ps[ps.length - 1];
  const suffix = ps.length > 1 && last !== undefined && "lit" in last ? last.lit : "";
  const mid = ps.slice(prefix === "" ? 0 : 1, suffix === "" ? ps.length : ps.length - 1);
  if (mid.length === 0) return eqMatcher(prefix);
  if (mid.length === 1) {
    const gap = (mid[0] as { gap: number }).gap;
    if (prefix === "" && suffix === "") {
      if (gap === 0) return () => true;
      if (gap === 1) return (v) => v.length > 0;
    }
    const min = prefix.length + suffix.length;
    return (v) => v.length >= min && v.startsWith(prefix) && v.endsWith(suffix) && okGap(v, prefix.length, v.length - suffix.length, gap);
  }
  return (v) => {
    if (!v.startsWith(prefix) || !v.endsWith(suffix)) return false;
    const end = v.length - suffix.length;
    let pos = prefix.length;
    if (pos > end) return false;
    for (const p of mid) {
      if ("gap" in p) {
        pos = advance(v, pos, p.gap);
        if (pos < 0 || pos > end) return false;
      } else {
        const i = v.indexOf(p.lit, pos);
        if (i < 0 || i + p.lit.length > end) return false;
        pos = i + p.lit.length;
      }
    }
    return true;
  };
}

function okGap(v: string, from: number, to: number, gap: number): boolean {
  if (from > to) return false;
  if (gap === 0) return true;
  const p = advance(v, from, gap);
  return p >= 0 && p <= to;
}

const canonCache = new Map<number, number>();

/** Maps every code point to the smallest member of its case-folding orbit, so that two
 * strings are equal under RE2's (?i) exactly when their canonical forms are equal. */
function canonical(s: string): string {
  let out = "";
  let plain = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x41) continue;
    if (u >= 0x61 && u <= 0x7a) {
      out += s.slice(plain, i) + String.fromCharCode(u - 0x20);
      plain = i + 1;
      continue;
    }
    if (u < 0x80) continue;
    const cp = s.codePointAt(i)!;
    let c = canonCache.get(cp);
    if (c === undefined) {
      c = Math.min(...orbitOf(cp));
      canonCache.set(cp, c);
    }
    const w = cp > 0xffff ? 2 : 1;
    if (c !== cp) {
      out += s.slice(plain, i) + String.fromCodePoint(c);
      plain = i + w;
    }
    i += w - 1;
  }
  return plain === 0 ? s : out + s.slice(plain);
}

/** `[...]+` / `[...]*` (or a repeated `.`) over plain code point ranges. */
function classRepeat(n: Re2Node): ((v: string) => boolean) | undefined {
  n = unwrap(n);
  if (n.t !== "rep" || n.max !== -1 || n.min > 1) return undefined;
  const sub = unwrap(n.sub);
  let ranges: [number, number][];
  let negated: boolean;
  if (sub.t === "class" && sub.set.props.length === 0 && sub.set.minus.length === 0) {
    ranges = sub.set.ranges;
    negated = sub.set.negated;
  } else if (sub.t === "any" && !sub.nl) {
    ranges = [[0x0a, 0x0a]];
    negated = true;
  } else return undefined;
  const min = n.min;
  const ascii = new Uint8Array(128);
  for (let c = 0; c < 128; c++) ascii[c] = inRanges(ranges, c) !== negated ? 1 : 0;
  return (v) => {
    if (v.length < min) return false;
    for (let i = 0; i < v.length; i++) {
      const u = v.charCodeAt(i);
      if (u < 128) {
        if (ascii[u] === 0) return false;
        continue;
      }
      const cp = v.codePointAt(i)!;
      if (cp > 0xffff) i++;
      if (inRanges(ranges, cp) === negated) return false;
    }
    return true;
  };
}

function inRanges(rs: readonly [number, number][], c: number): boolean {
  let a = 0;
  let b = rs.length;
  while (a < b) {
    const m = (a + b) >> 1;
    const r = rs[m]!;
    if (c < r[0]) b = m;
    else if (c > r[1]) a = m + 1;
    else return true;
  }
  return false;
}
