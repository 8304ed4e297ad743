import { labelsFromRecord, labelsToRecord, type Labels } from "../../src/model/labels.js";
import { compileRelabelConfigs, relabel } from "../../src/relabel/relabel.js";
import { relabelConfig, type RelabelConfig } from "../../src/relabel/relabel_config.js";

export const L = labelsFromRecord;

/** Relabels a record with configs written with defaults left out; null = dropped. */
export function run(input: Record<string, string>, ...configs: Partial<RelabelConfig>[]): Record<string, string> | null {
  const out = relabel(L(input), compileRelabelConfigs(configs.map(relabelConfig)));
  return out === null ? null : labelsToRecord(out);
}

export function rec(ls: Labels): Record<string, string> {
  return labelsToRecord(ls);
}
