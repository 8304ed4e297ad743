import { labelsToRecord } from "../model/labels.js";
import type { Engine } from "../promql/engine/engine.js";
import { parseExpr } from "../promql/parser/parser.js";
import type { Storage } from "../storage/storage.js";
import type { QueryFunc } from "./rule.js";
import type { TemplateQuery } from "./template/index.js";

/** Rules query the tier's storage with the PromQL engine at an instant; a scalar
 * result becomes one sample without labels (Prometheus' EngineQueryFunc). */
export function engineQueryFunc(engine: Engine, storage: Storage): QueryFunc {
  return async (expr, t) => {
    const { value } = await engine.instantQuery(storage.querier(), expr, t);
    switch (value.type) {
      case "vector":
        return value.samples;
      case "scalar":
        return [{ labels: [], t: value.t, v: value.v }];
      default:
        throw new Error("rule result is not a vector or scalar");
    }
  };
}

/** The `query` template function: the same instant queries, from PromQL text. */
export function templateQueryFunc(query: QueryFunc): TemplateQuery {
  return async (text, timeMs) => {
    const samples = await query(parseExpr(text), timeMs);
    return samples.map((s) => ({ labels: labelsToRecord(s.labels), value: s.v }));
  };
}
