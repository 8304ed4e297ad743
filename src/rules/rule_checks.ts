import type { RuleFileChecks } from "../config/rule_file.js";
import { ParseError } from "../promql/parser/errors.js";
import { parseExpr } from "../promql/parser/parser.js";
import { checkTemplate } from "./template/index.js";

/** The PromQL and template checks rule files get, wherever they are validated (the
 * RuleEvaluator, `npx edgeprom check rules`, `rules push`). */
export const ruleFileChecks: RuleFileChecks = {
  expr(expr) {
    try {
      parseExpr(expr);
      return null;
    } catch (e) {
      if (e instanceof ParseError) return e.message;
      throw e;
    }
  },
  template: (name, text) => checkTemplate(name, text),
};
