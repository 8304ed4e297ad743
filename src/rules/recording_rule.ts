import { LabelsBuilder, labelsKey, METRIC_NAME } from "../model/labels.js";
import { hasDuplicateLabelSets, Rule, type RuleEvalContext, type RuleSample } from "./rule.js";

/** Records the value of an expression as a new series named `name`, with the rule's
 * labels set on every result. */
export class RecordingRule extends Rule {
  readonly kind = "recording";

  async eval(ctx: RuleEvalContext): Promise<RuleSample[]> {
    const vector = await ctx.query(this.expr, ctx.ts - ctx.queryOffsetMs);
    const out: RuleSample[] = vector.map((s) => {
      const lb = new LabelsBuilder(s.labels).set(METRIC_NAME, this.name);
      for (const l of this.labels) lb.set(l.name, l.value);
      return { labels: lb.labels(), t: s.t, v: s.v };
    });
    if (hasDuplicateLabelSets(out, labelsKey)) throw new Error("vector contains metrics with the same labelset after applying rule labels");
    if (ctx.limit > 0 && out.length > ctx.limit) throw new Error(`exceeded limit of ${ctx.limit} with ${out.length} series`);
    return out;
  }

  fingerprint(): string {
    return JSON.stringify(["record", this.name, this.query, this.labels]);
  }
}
