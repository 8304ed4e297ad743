import { isValidLabelName, METRIC_NAME } from "../../model/labels.js";
import { MatcherError, matchesEmpty, newMatcher, type Matcher, type MatchType } from "../../model/matchers.js";
import { ParseError } from "./errors.js";
import { readStringLiteral } from "./string_literal.js";

const METRIC_START = /[a-zA-Z_:]/;
const METRIC_CHAR = /[a-zA-Z0-9_:]/;

/** Parses a series selector as used by `match[]` (`up{job="x"}`, `{__name__=~"a.*"}`,
 * `{"utf8.metric", job="x"}`) into matchers. */
export function parseSeriesSelector(input: string): Matcher[] {
  const p = new SelectorParser(input);
  const ms = p.parse();
  if (ms.every(matchesEmpty)) {
    throw new ParseError(input, 0, "vector selector must contain at least one non-empty matcher");
  }
  return ms;
}

class SelectorParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Matcher[] {
    const ms: Matcher[] = [];
    this.ws();
    if (this.i < this.s.length && METRIC_START.test(this.s[this.i]!)) {
      const start = this.i;
      while (this.i < this.s.length && METRIC_CHAR.test(this.s[this.i]!)) this.i++;
      ms.push(newMatcher("=", METRIC_NAME, this.s.slice(start, this.i)));
      this.ws();
    }
    if (this.s[this.i] === "{") {
      this.i++;
      this.matchers(ms);
    } else if (ms.length === 0) {
      this.fail(this.i < this.s.length ? `unexpected character: ${JSON.stringify(this.s[this.i])}` : "unexpected end of input");
    }
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected character after selector: ${JSON.stringify(this.s[this.i])}`);
    return ms;
  }

  private matchers(ms: Matcher[]): void {
    for (;;) {
      this.ws();
      if (this.s[this.i] === "}") {
        this.i++;
        return;
      }
      const nameAt = this.i;
      let name: string;
      if (this.s[this.i] === '"' || this.s[this.i] === "'") {
        const lit = readStringLiteral(this.s, this.i);
        this.i = lit.end;
        name = lit.value;
        this.ws();
        // A bare quoted string is the metric name (Prometheus 3.x UTF-8 syntax).
        if (this.s[this.i] === "," || this.s[this.i] === "}") {
          ms.push(newMatcher("=", METRIC_NAME, name));
          if (this.s[this.i] === ",") this.i++;
          continue;
        }
      } else {
        while (this.i < this.s.length && /[a-zA-Z0-9_]/.test(this.s[this.i]!)) this.i++;
        name = this.s.slice(nameAt, this.i);
        if (!isValidLabelName(name)) {
          this.fail(
            this.i >= this.s.length ? "unexpected end of input inside braces" : `unexpected character inside braces: ${JSON.stringify(this.s[this.i])}`,
          );
        }
      }
      this.ws();
      const opAt = this.i;
      const op = this.op();
      if (op === null) this.fail(`unexpected character inside braces: ${JSON.stringify(this.s[opAt] ?? "")}`, opAt);
      this.ws();
      const q = this.s[this.i];
      if (q !== '"' && q !== "'" && q !== "`") this.fail("unexpected label matcher value, expected string");
      const valueAt = this.i;
      const lit = readStringLiteral(this.s, this.i);
      this.i = lit.end;
      try {
        ms.push(newMatcher(op, name, lit.value));
      } catch (e) {
        if (e instanceof MatcherError) this.fail(e.message, valueAt);
        throw e;
      }
      this.ws();
      if (this.s[this.i] === ",") {
        this.i++;
        continue;
      }
      if (this.s[this.i] === "}") {
        this.i++;
        return;
      }
      this.fail(this.i >= this.s.length ? "unexpected end of input inside braces" : `unexpected character inside braces: ${JSON.stringify(this.s[this.i])}`);
    }
  }

  private op(): MatchType | null {
    const two = this.s.slice(this.i, this.i + 2);
    if (two === "!=" || two === "=~" || two === "!~") {
      this.i += 2;
      return two;
    }
    if (this.s[this.i] === "=") {
      this.i++;
      return "=";
    }
    return null;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private fail(msg: string, at = this.i): never {
    throw new ParseError(this.s, at, msg);
  }
}
