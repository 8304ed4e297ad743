import { notifierFamilies } from "../notifier/metrics.js";
import { CallbackCollector } from "../telemetry/registry.js";
import type { RulesMetrics } from "./rule_evaluator.js";
import { ruleFamilies } from "./rule_metrics.js";

/** The RuleEvaluator's figures (rule groups and notifications) on the tier's
 * /metrics, read from the object when /metrics is scraped. */
export function rulesCollector(evaluator: () => { metrics(): Promise<RulesMetrics> } | undefined): CallbackCollector {
  return new CallbackCollector(async () => {
    const stub = evaluator();
    if (stub === undefined) return [];
    const m = await stub.metrics();
    return [...(m.rules === null ? [] : ruleFamilies(m.rules)), ...notifierFamilies(m.notifier)];
  });
}
