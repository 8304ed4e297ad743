import { labelsToString, type Labels } from "../model/labels.js";
import type { Expr } from "../promql/parser/ast.js";
import { formatExpr } from "../promql/parser/printer.js";
import { ZERO_TIME } from "./alert.js";
import type { TemplateQuery } from "./template/index.js";

export type RuleHealth = "unknown" | "ok" | "err";

/** A sample a rule produced (or a query returned): labels, time in ms, value. */
export interface RuleSample {
  labels: Labels;
  t: number;
  v: number;
}

/** An instant query at `t` (ms); scalars come back as one sample without labels. */
export type QueryFunc = (expr: Expr, t: number) => Promise<RuleSample[]>;

/** What one evaluation of a rule needs besides the rule. */
export interface RuleEvalContext {
  /** The group's evaluation time (its slot). */
  ts: number;
  queryOffsetMs: number;
  query: QueryFunc;
  /** The group's limit; 0 for none. */
  limit: number;
  /** For alert templates. */
  templateQuery: TemplateQuery;
  externalLabels: Record<string, string>;
  externalURL: string;
}

/** What recording and alerting rules share: the parsed expression, health and the
 * figures of the last evaluation. */
export abstract class Rule {
  abstract readonly kind: "recording" | "alerting";
  health: RuleHealth = "unknown";
  lastError = "";
  evaluationDurationMs = 0;
  /** Wall-clock start of the last evaluation. */
  evaluationTimestamp = ZERO_TIME;
  /** The expression as Prometheus prints it (API `query`, generator URLs). */
  readonly query: string;

  constructor(
    readonly name: string,
    readonly expr: Expr,
    /** Group labels merged with the rule's own. */
    readonly labels: Labels,
  ) {
    this.query = formatExpr(expr);
  }

  abstract eval(ctx: RuleEvalContext): Promise<RuleSample[]>;

  /** Everything that defines the rule; two rules with the same fingerprint are the
   * same rule (Prometheus compares rules by their YAML form when reloading). */
  abstract fingerprint(): string;

  /** Name and labels: how rules are matched up across a reload. */
  identity(): string {
    return this.name + labelsToString(this.labels);
  }
}

/** Prometheus' error when relabelled results collide. */
export function hasDuplicateLabelSets(samples: readonly RuleSample[], key: (ls: Labels) => string): boolean {
  const seen = new Set<string>();
  for (const s of samples) {
    const k = key(s.labels);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}
