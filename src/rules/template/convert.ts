/**
 * JavaScript data to the Go values a template executes over, for callers of
 * Template.execute that pass plain data, typed the way encoding/json decodes into an
 * interface {}: strings, numbers (float64), booleans, arrays ([]interface {}) and objects
 * (map[string]interface {}); bigints become int. GoValues (alertTemplateData()) pass
 * through untouched.
 */
import {
  BOOL,
  FLOAT64,
  GoValue,
  INT,
  MAP_STRING_ANY,
  SLICE_ANY,
  STRING,
  type Value,
  iface,
  sliceOf,
} from "./values.js";

export function toGoValue(x: unknown): Value {
  if (x instanceof GoValue) return x;
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case "string":
      return new GoValue(STRING, x);
    case "number":
      return new GoValue(FLOAT64, x);
    case "boolean":
      return new GoValue(BOOL, x);
    case "bigint":
      return new GoValue(INT, x);
  }
  if (Array.isArray(x)) return sliceOf(SLICE_ANY, x.map((e) => iface(toGoValue(e))));
  if (typeof x === "object") {
    const m = new Map<string, GoValue>();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) m.set(k, iface(toGoValue(v)));
    return new GoValue(MAP_STRING_ANY, m);
  }
  throw new TypeError(`cannot use a ${typeof x} as template data`);
}
