import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { isValidLabelName, labelsFromRecord, type Labels } from "../model/labels.js";

export const ADDRESS_LABEL = "__address__";

/** A set of targets sharing labels, identified by `source` within its provider
 * (Prometheus' targetgroup.Group). Each target carries at least __address__. */
export interface TargetGroup {
  readonly source: string;
  readonly targets: readonly Labels[];
  readonly labels: Labels;
}

export class TargetGroupError extends Error {}

/** The file_sd / http_sd / static_configs item: `{targets: [...], labels: {...}}`. */
export interface RawTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export function targetGroupFromRaw(raw: RawTargetGroup, source: string, extraLabels?: Readonly<Record<string, string>>): TargetGroup {
  const labels = extraLabels === undefined ? raw.labels : { ...raw.labels, ...extraLabels };
  return {
    source,
    targets: raw.targets.map((t) => labelsFromRecord({ [ADDRESS_LABEL]: t })),
    labels: labelsFromRecord(labels),
  };
}

function checkLabelNames(labels: Record<string, string>): void {
  for (const name of Object.keys(labels)) {
    if (!isValidLabelName(name)) throw new TargetGroupError(`${JSON.stringify(name)} is not a valid label name`);
  }
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v === "boolean" ? "bool" : typeof v;
}

/** Decodes a JSON list of target groups the way Prometheus' Go decoder does: `null`
 * is an empty list, a null item is an error, field names match case-insensitively,
 * unknown fields are rejected, null strings read as "", label names are validated. */
export function parseTargetGroupsJSON(text: string): RawTargetGroup[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new TargetGroupError((e as Error).message);
  }
  if (doc === null) return [];
  if (!Array.isArray(doc)) {
    throw new TargetGroupError(`json: cannot unmarshal ${jsonType(doc)} into Go value of type []*targetgroup.Group`);
  }
  return doc.map((item: unknown) => {
    if (item === null) throw new TargetGroupError("nil target group item found");
    if (typeof item !== "object" || Array.isArray(item)) {
      throw new TargetGroupError(`json: cannot unmarshal ${jsonType(item)} into Go value of type targetgroup.Group`);
    }
    const g: RawTargetGroup = { targets: [], labels: {} };
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      const k = key.toLowerCase();
      if (k === "targets") {
        if (value === null) {
          g.targets = [];
          continue;
        }
        if (!Array.isArray(value)) throw new TargetGroupError(`json: cannot unmarshal ${jsonType(value)} into Go struct field .targets of type []string`);
        g.targets = value.map((t: unknown) => {
          if (t === null) return "";
          if (typeof t !== "string") throw new TargetGroupError(`json: cannot unmarshal ${jsonType(t)} into Go struct field .targets of type string`);
          return t;
        });
      } else if (k === "labels") {
        if (value === null) {
          g.labels = {};
          continue;
        }
        if (typeof value !== "object" || Array.isArray(value)) {
          throw new TargetGroupError(`json: cannot unmarshal ${jsonType(value)} into Go struct field .labels of type model.LabelSet`);
        }
        const labels: Record<string, string> = {};
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
          if (v !== null && typeof v !== "string") {
            throw new TargetGroupError(`json: cannot unmarshal ${jsonType(v)} into Go value of type model.LabelValue`);
          }
          labels[name] = v ?? "";
        }
        checkLabelNames(labels);
        g.labels = labels;
      } else {
        throw new TargetGroupError(`json: unknown field ${JSON.stringify(key)}`);
      }
    }
    return g;
  });
}

/** A YAML scalar as Go's yaml.v2 decodes it into a string: its text as written
 * (`1.50` stays "1.50", `yes` stays "yes"), null reading as "". */
function yamlString(doc: Document, node: unknown, what: string): string {
  const n = isAlias(node) ? node.resolve(doc) : node;
  if (n === null || n === undefined) return "";
  if (!isScalar(n)) throw new TargetGroupError(`yaml: cannot unmarshal ${isSeq(n) ? "!!seq" : "!!map"} into ${what}`);
  if (n.value === null) return "";
  if (typeof n.value === "string") return n.value;
  return n.source ?? String(n.value);
}

function yamlNode(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** Decodes a YAML list of target groups like yaml.v2's UnmarshalStrict: unknown and
 * duplicate keys are errors, scalars are read as their text. */
export function parseTargetGroupsYAML(text: string): RawTargetGroup[] {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new TargetGroupError(`yaml: ${doc.errors[0]!.message.split("\n")[0]}`);
  const root = yamlNode(doc, doc.contents);
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) return [];
  if (!isSeq(root)) throw new TargetGroupError("yaml: unmarshal errors: cannot unmarshal into []*targetgroup.Group");
  return root.items.map((raw) => {
    const item = yamlNode(doc, raw);
    if (item === null || item === undefined || (isScalar(item) && item.value === null)) {
      throw new TargetGroupError("nil target group item found");
    }
    if (!isMap(item)) throw new TargetGroupError("yaml: unmarshal errors: cannot unmarshal into targetgroup.Group");
    const g: RawTargetGroup = { targets: [], labels: {} };
    for (const pair of item.items) {
      const key = yamlString(doc, pair.key, "string");
      const value = yamlNode(doc, pair.value) as Node | null;
      if (key === "targets") {
        if (value === null || (isScalar(value) && value.value === null)) continue;
        if (!isSeq(value)) throw new TargetGroupError("yaml: unmarshal errors: cannot unmarshal into []string (targets)");
        g.targets = value.items.map((t) => yamlString(doc, t, "string"));
      } else if (key === "labels") {
        if (value === null || (isScalar(value) && value.value === null)) continue;
        if (!isMap(value)) throw new TargetGroupError("yaml: unmarshal errors: cannot unmarshal into model.LabelSet (labels)");
        const labels: Record<string, string> = {};
        for (const lp of value.items) labels[yamlString(doc, lp.key, "model.LabelName")] = yamlString(doc, lp.value, "model.LabelValue");
        checkLabelNames(labels);
        g.labels = labels;
      } else {
        throw new TargetGroupError(`yaml: unmarshal errors: field ${key} not found in target group (only targets and labels)`);
      }
    }
    return g;
  });
}
