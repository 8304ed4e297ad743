// zod schemas for the leaves of a parsed YAML tree (see yaml_tree.ts), with the
// error wording of go-yaml v2 and Prometheus' own value types.
import { z } from "zod";
import { parseDuration } from "../model/time.js";
import { isYamlMap, YamlScalar } from "./yaml_tree.js";
import { parseBytes } from "../model/units.js";

/** Issues whose params say `value` come from a value's own parser (durations,
 * regexes, validation) and are reported alone, as Prometheus does; all others are
 * go-yaml "unmarshal errors", reported together. */
export const VALUE = { kind: "value" } as const;

type Ctx = z.core.$RefinementCtx<unknown>;

/** `cannot unmarshal !!str \`abc\` into uint`, as go-yaml words a type mismatch. */
export function typeMismatch(input: unknown, goType: string): string {
  if (input instanceof YamlScalar) return `cannot unmarshal !!${input.kind} \`${input.source}\` into ${goType}`;
  if (Array.isArray(input)) return `cannot unmarshal !!seq into ${goType}`;
  if (isYamlMap(input)) return `cannot unmarshal !!map into ${goType}`;
  return `cannot unmarshal into ${goType}`;
}

export function valueIssue(ctx: Ctx, message: string, path: (string | number)[] = []): void {
  ctx.addIssue({ code: "custom", message, path, params: VALUE });
}

function typeIssue(ctx: Ctx, message: string): void {
  ctx.addIssue({ code: "custom", message });
}

/** A schema over one YAML leaf: `fn` gets the scalar (never null) and returns the
 * value or reports issues and returns undefined. */
function leaf<T>(goType: string, fn: (s: YamlScalar, ctx: Ctx) => T | undefined) {
  return z.unknown().transform((input, ctx): T => {
    if (!(input instanceof YamlScalar)) {
      typeIssue(ctx, typeMismatch(input, goType));
      return z.NEVER;
    }
    const out = fn(input, ctx);
    return out === undefined ? z.NEVER : out;
  });
}

/** Any scalar read as a Go string (numbers and booleans keep their source text). */
export const str = (goType = "string") =>
  leaf(goType, (s) => (s.kind === "null" ? "" : s.text));

export const bool = () =>
  leaf("bool", (s, ctx) => {
    if (s.kind === "bool") return s.value as boolean;
    typeIssue(ctx, typeMismatch(s, "bool"));
    return undefined;
  });

function integer(goType: string, min: number, s: YamlScalar, ctx: Ctx): number | undefined {
  const v = s.value;
  if ((s.kind === "int" || s.kind === "float") && typeof v === "number" && Number.isInteger(v) && v >= min) return v;
  typeIssue(ctx, typeMismatch(s, goType));
  return undefined;
}

export const uint = () => leaf("uint", (s, ctx) => integer("uint", 0, s, ctx));
export const int = () => leaf("int", (s, ctx) => integer("int", -Infinity, s, ctx));

export const float = () =>
  leaf("float64", (s, ctx) => {
    if ((s.kind === "int" || s.kind === "float") && typeof s.value === "number") return s.value;
    typeIssue(ctx, typeMismatch(s, "float64"));
    return undefined;
  });

/** A Prometheus duration (`30s`, `1h30m`) in milliseconds. */
export const duration = () =>
  leaf("string", (s, ctx) => {
    const text = s.kind === "null" ? "" : s.text;
    if (text === "") {
      valueIssue(ctx, "empty duration string");
      return undefined;
    }
    try {
      return parseDuration(text);
    } catch {
      valueIssue(ctx, `not a valid duration string: "${text}"`);
      return undefined;
    }
  });


export { parseBytes };

export const bytes = () =>
  leaf("string", (s, ctx) => {
    try {
      return parseBytes(s.kind === "null" ? "" : s.text);
    } catch (e) {
      valueIssue(ctx, (e as Error).message);
      return undefined;
    }
  });

/** A YAML sequence; a missing or null value is the empty list. */
export function list<T extends z.ZodType>(item: T, goType: string) {
  return z
    .custom<any>((v) => Array.isArray(v), { error: (iss) => typeMismatch(iss.input, goType) })
    .pipe(z.array(item));
}

/** A mapping of strings to strings (labels, headers). */
export function strMap(goType: string) {
  return z
    .custom<any>((v) => isYamlMap(v), { error: (iss) => typeMismatch(iss.input, goType) })
    .pipe(z.record(z.string(), str()));
}

/** A mapping with known fields: unknown ones are errors worded as go-yaml's
 * `field foo not found in type config.ScrapeConfig`. */
export function obj<S extends z.core.$ZodLooseShape>(goType: string, shape: S) {
  const known = new Set(Object.keys(shape));
  return z
    .custom<any>((v) => isYamlMap(v), { error: (iss) => typeMismatch(iss.input, goType) })
    .pipe(
      z.looseObject(shape).superRefine(
        (v, ctx) => {
          if (!isYamlMap(v)) return;
          for (const k of Object.keys(v)) {
            if (!known.has(k)) ctx.addIssue({ code: "custom", message: `field ${k} not found in type ${goType}`, path: [k] });
          }
        },
        { when: () => true },
      ),
    );
}

/** Rejects a null list entry (`- ~` or an empty `-`) with Prometheus' message. */
export function notNull(message: string) {
  return z.unknown().superRefine((v, ctx) => {
    if (v instanceof YamlScalar && v.kind === "null") valueIssue(ctx, message);
  });
}
