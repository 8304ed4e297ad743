import { labelsKey, type Labels } from "../../model/labels.js";
import { parseDuration, TimeParseError } from "../../model/time.js";
import { ParseError } from "../parser/errors.js";
import { parseExpr } from "../parser/parser.js";
import { parseGoNumber } from "./numbers.js";
import { parseSeriesLine, SeriesSyntaxError, type SequenceValues } from "./values.js";

/** Parser of promqltest scripts (`*.test`): `load`, `clear` and `eval` commands with
 * their expectations. Times in scripts are durations since the Unix epoch and are
 * returned in milliseconds. Line numbers are 1-based. */

export interface LoadSeries {
  labels: Labels;
  seq: SequenceValues;
  line: number;
}

export interface LoadCommand {
  kind: "load";
  line: number;
  stepMs: number;
  /** `load_with_nhcb`: classic histogram series are also converted to native
   * histograms with custom buckets. */
  withNHCB: boolean;
  /** One entry per distinct label set; a later line for the same labels replaces an
   * earlier one, as in Prometheus. */
  series: LoadSeries[];
}

export interface ClearCommand {
  kind: "clear";
  line: number;
}

export type ExpectType = "ordered" | "fail" | "warn" | "no_warn" | "info" | "no_info";

/** One `expect <type> [msg|regex: ...]` line. Without msg/regex, `match` is `^.*$` as
 * in Prometheus. */
export interface ExpectLine {
  message: string | null;
  regex: RegExp | null;
  line: number;
}

export interface ExpectedSeries {
  labels: Labels;
  /** 1-based position among the expected series lines, for `expect ordered`. */
  pos: number;
  seq: SequenceValues;
  line: number;
}

export interface EvalCommand {
  kind: "eval";
  line: number;
  expr: string;
  isRange: boolean;
  /** Instant queries: the evaluation time is `evalTime`; `start`/`step` place the
   * points of an expected range vector. Range queries: start/end/step. */
  start: number;
  end: number;
  step: number;
  evalTime: number;
  /** The older `eval_fail`, `eval_warn`, `eval_info`, `eval_ordered` spellings. */
  legacy: { fail: boolean; warn: boolean; info: boolean; ordered: boolean };
  /** `expected_fail_message` / `expected_fail_regexp` (with `eval_fail`). */
  expectedFailMessage: string | null;
  expectedFailRegexp: RegExp | null;
  expects: Record<ExpectType, ExpectLine[]>;
  /** A bare number was given as the expected result. */
  expectScalar: boolean;
  scalar: SequenceValues | null;
  /** Expected series by label key. */
  expected: Map<string, ExpectedSeries>;
  /** `expect string "..."`; "" when absent, as in Prometheus. */
  expectedString: string;
  /** `expect range vector from .. to .. step ..` was given. */
  expectRangeVector: boolean;
  /** Set by `expect range vector` and `expect string`: no range-mode cross-check. */
  excludeFromRangeQuery: boolean;
  /** The expected results hold native histogram values. */
  histogram: boolean;
}

export type Command = LoadCommand | ClearCommand | EvalCommand;

export interface ScriptError {
  line: number;
  message: string;
}

export interface Script {
  commands: Command[];
  /** Lines that could not be parsed. Prometheus rejects the whole file then; the
   * runner reports each as a failure and runs the rest. */
  errors: ScriptError[];
}

export function isOrdered(ev: EvalCommand): boolean {
  return ev.legacy.ordered || ev.expects.ordered.length > 0;
}

export function isFail(ev: EvalCommand): boolean {
  return ev.legacy.fail || ev.expects.fail.length > 0;
}

class LineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const PAT_LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const PAT_EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const PAT_EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const PAT_EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const PAT_EXPECT_RANGE = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;
const RANGE_VECTOR_PREFIX = "expect range vector";
const EXPECT_STRING_PREFIX = "expect string";
const MATCH_ANY = /^.*$/;

/** Lines trimmed, comment lines (first non-blank character `#`) emptied. */
function getLines(input: string): string[] {
  return input.split("\n").map((l) => {
    const t = l.trim();
    return t.startsWith("#") ? "" : t;
  });
}

export function parseScript(input: string): Script {
  const lines = getLines(input);
  const commands: Command[] = [];
  const errors: ScriptError[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === "") continue;
    const word = l.split(/[\t ]+/, 1)[0]!.toLowerCase();
    try {
      if (word === "clear") {
        commands.push({ kind: "clear", line: i + 1 });
      } else if (word.startsWith("load")) {
        const [next, cmd] = parseLoad(lines, i);
        commands.push(cmd);
        i = next;
      } else if (word.startsWith("eval")) {
        const [next, cmd] = parseEval(lines, i);
        commands.push(cmd);
        i = next;
      } else {
        throw new LineError(i + 1, `invalid command ${JSON.stringify(l)}`);
      }
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      errors.push({ line: e.line, message: e.message });
      // Resynchronise at the next blank line, where the broken block ends.
      while (i + 1 < lines.length && lines[i + 1] !== "") i++;
    }
  }
  return { commands, errors };
}

function duration(s: string, what: string, line: number): number {
  try {
    return parseDuration(s);
  } catch (e) {
    if (e instanceof TimeParseError) throw new LineError(line, `invalid ${what} ${JSON.stringify(s)}: ${e.message}`);
    throw e;
  }
}

function seriesLine(text: string, line: number) {
  try {
    return parseSeriesLine(text);
  } catch (e) {
    if (e instanceof SeriesSyntaxError) throw new LineError(line, e.message);
    throw e;
  }
}

function parseLoad(lines: string[], i: number): [number, LoadCommand] {
  const m = PAT_LOAD.exec(lines[i]!);
  if (m === null) throw new LineError(i + 1, "invalid load command. (load[_with_nhcb] <step:duration>)");
  const cmd: LoadCommand = {
    kind: "load",
    line: i + 1,
    stepMs: duration(m[2]!, "step definition", i + 1),
    withNHCB: m[1] === "with_nhcb",
    series: [],
  };
  const byKey = new Map<string, LoadSeries>();
  while (i + 1 < lines.length && lines[i + 1] !== "") {
    i++;
    const s = seriesLine(lines[i]!, i + 1);
    byKey.set(labelsKey(s.labels), { labels: s.labels, seq: s.seq, line: i + 1 });
  }
  cmd.series = [...byKey.values()];
  return [i, cmd];
}

function emptyExpects(): Record<ExpectType, ExpectLine[]> {
  return { ordered: [], fail: [], warn: [], no_warn: [], info: [], no_info: [] };
}

function compileRegex(pattern: string, line: number, what: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw new LineError(line, `invalid regex ${pattern} for ${what}`);
  }
}

function parseExpect(text: string, line: number): [ExpectType, ExpectLine] {
  const m = PAT_EXPECT.exec(text.trim());
  if (m === null) {
    throw new LineError(line, "invalid expect statement, must match `expect <type> <match_type>: <string>` format");
  }
  const type = m[1] as ExpectType;
  if (m[2] === "msg") return [type, { message: m[3]!.trim(), regex: null, line }];
  if (m[2] === "regex") return [type, { message: null, regex: compileRegex(m[3]!.trim(), line, type), line }];
  return [type, { message: null, regex: MATCH_ANY, line }];
}

function validateExpects(ev: EvalCommand, line: number): void {
  const e = ev.expects;
  if (e.info.length > 0 && e.no_info.length > 0) throw new LineError(line, "invalid expect lines, info and no_info cannot be used together");
  if (e.warn.length > 0 && e.no_warn.length > 0) throw new LineError(line, "invalid expect lines, warn and no_warn cannot be used together");
  if (e.fail.length > 1) throw new LineError(line, "invalid expect lines, multiple expect fail lines are not allowed");
}

/** `expect string <Go-quoted literal>`: "..." and '...' with escapes, `...` raw. */
function parseExpectString(text: string, line: number): string {
  if (text === EXPECT_STRING_PREFIX) {
    throw new LineError(line, "expected string literal not valid - a quoted string literal is required");
  }
  const lit = text.startsWith(EXPECT_STRING_PREFIX + " ") ? text.slice(EXPECT_STRING_PREFIX.length + 1) : text;
  const bad = () => new LineError(line, "expected string literal not valid - check that the string is correctly quoted");
  if (!/^["'`]/.test(lit)) throw bad();
  let e;
  try {
    e = parseExpr(lit);
  } catch (err) {
    if (err instanceof ParseError) throw bad();
    throw err;
  }
  if (e.type !== "StringLiteral") throw bad();
  // Go's Unquote takes exactly one character between single quotes.
  if (lit[0] === "'" && [...e.val].length !== 1) throw bad();
  return e.val;
}

function parseEval(lines: string[], i: number): [number, EvalCommand] {
  const text = lines[i]!;
  const lineNo = i + 1;
  const inst = PAT_EVAL_INSTANT.exec(text);
  const range = inst === null ? PAT_EVAL_RANGE.exec(text) : null;
  if (inst === null && range === null) {
    throw new LineError(
      lineNo,
      "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'",
    );
  }
  const mod = inst !== null ? inst[1] : range![1];
  const expr = inst !== null ? inst[3]! : range![5]!;
  const ev: EvalCommand = {
    kind: "eval",
    line: lineNo,
    expr,
    isRange: inst === null,
    start: 0,
    end: 0,
    step: 0,
    evalTime: 0,
    legacy: { fail: mod === "fail", warn: mod === "warn", info: mod === "info", ordered: mod === "ordered" },
    expectedFailMessage: null,
    expectedFailRegexp: null,
    expects: emptyExpects(),
    expectScalar: false,
    scalar: null,
    expected: new Map(),
    expectedString: "",
    expectRangeVector: false,
    excludeFromRangeQuery: false,
    histogram: false,
  };
  if (inst !== null) {
    const t = duration(inst[2] ?? "", "timestamp definition", lineNo);
    ev.start = ev.end = ev.evalTime = t;
  } else {
    const from = duration(range![2]!, "start timestamp definition", lineNo);
    const to = duration(range![3]!, "end timestamp definition", lineNo);
    if (to < from) {
      throw new LineError(lineNo, `invalid test definition, end timestamp (${range![3]}) is before start timestamp (${range![2]})`);
    }
    ev.start = from;
    ev.end = to;
    ev.evalTime = to;
    ev.step = duration(range![4]!, "step definition", lineNo);
  }

  let pos = 0;
  while (i + 1 < lines.length && lines[i + 1] !== "") {
    i++;
    const def = lines[i]!;
    const n = i + 1;
    if (ev.legacy.fail && def.startsWith("expected_fail_message")) {
      ev.expectedFailMessage = def.slice("expected_fail_message".length).trim();
      break;
    }
    if (ev.legacy.fail && def.startsWith("expected_fail_regexp")) {
      ev.expectedFailRegexp = compileRegex(def.slice("expected_fail_regexp".length).trim(), n, "expected_fail_regexp");
      break;
    }
    if (def.startsWith(RANGE_VECTOR_PREFIX)) {
      const m = PAT_EXPECT_RANGE.exec(def);
      if (m === null) throw new LineError(n, `invalid range vector definition ${JSON.stringify(def)}`);
      const from = duration(m[1]!, "start timestamp definition", n);
      const to = duration(m[2]!, "end timestamp definition", n);
      if (to < from) throw new LineError(n, `invalid test definition, end timestamp (${m[2]}) is before start timestamp (${m[1]})`);
      ev.start = from;
      ev.end = to;
      ev.step = duration(m[3]!, "step definition", n);
      ev.evalTime = to;
      ev.expectRangeVector = true;
      ev.excludeFromRangeQuery = true;
      continue;
    }
    if (def.startsWith(EXPECT_STRING_PREFIX)) {
      ev.expectedString = parseExpectString(def, n);
      ev.excludeFromRangeQuery = true;
      continue;
    }
    // As in Prometheus, a metric called `expect` can still be written `expect{}`.
    if (def.split(" ")[0] === "expect") {
      const [type, line] = parseExpect(def, n);
      ev.expects[type].push(line);
      validateExpects(ev, n);
      continue;
    }
    const f = parseGoNumber(def);
    if (f !== null) {
      // A scalar result ends the block, as in Prometheus.
      const values = new Float64Array([f]);
      ev.expectScalar = true;
      ev.scalar = { values, omitted: new Uint8Array(1), histogram: false };
      break;
    }
    const s = seriesLine(def, n);
    pos++;
    if (s.seq.histogram) ev.histogram = true;
    if (!s.seq.histogram && s.seq.values.length > 1 && !ev.isRange && !ev.expectRangeVector) {
      throw new LineError(
        n,
        "expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query",
      );
    }
    ev.expectScalar = false;
    ev.expected.set(labelsKey(s.labels), { labels: s.labels, pos, seq: s.seq, line: n });
  }
  return [i, ev];
}
