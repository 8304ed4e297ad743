import { describe, expect, it } from "vitest";
import { ParseError } from "../../../src/promql/parser/errors.js";
import { parseExpr } from "../../../src/promql/parser/parser.js";
import { formatExpr } from "../../../src/promql/parser/printer.js";
import { conformanceFiles, evalCases } from "./conformance_exprs.js";
import { normalize } from "./helpers.js";

/** Every expression of Prometheus' promqltest scripts whose block does not expect a
 * failure must parse (some `expect fail` ones fail while parsing, others only when
 * evaluated, so those are not asserted either way), and must survive the printer.
 * The scripts are read in place from the shared conformance data. */

const files = conformanceFiles();
const totals = { expressions: 0, parsed: 0, expectFail: 0 };

describe.skipIf(files.length === 0)("promqltest conformance expressions", () => {
  it.each(files)("%s", (file) => {
    const failures: string[] = [];
    for (const c of evalCases(file)) {
      totals.expressions++;
      if (c.expectFail) totals.expectFail++;
      let e;
      try {
        e = parseExpr(c.expr);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        if (c.expectFail) continue;
        failures.push(`${file}:${c.line}: ${c.expr}\n    ${err.message}`);
        continue;
      }
      totals.parsed++;
      const printed = formatExpr(e);
      const again = parseExpr(printed);
      expect(normalize(again), `${file}:${c.line}: ${c.expr} -> ${printed}`).toEqual(normalize(e));
    }
    expect(failures).toEqual([]);
  });

  it("parses them all", () => {
    console.info(
      `promqltest: ${totals.parsed} of ${totals.expressions} eval expressions parse (${totals.expectFail} expect a failure)`,
    );
    expect(totals.parsed).toBeGreaterThanOrEqual(totals.expressions - totals.expectFail);
  });
});
