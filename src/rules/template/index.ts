/**
 * Prometheus' alert and annotation template expansion: Go's text/template (non-HTML, as
 * Prometheus uses for alerts) with Prometheus' function map and missingkey=zero.
 *
 *   const t = parseTemplate("__alert_HighLoad", ALERT_HEADER + "{{ $value | humanize }}");
 *   await t.execute(alertTemplateData(labels, ext, url, 1234), ctx);   // "1.234k"
 *
 * or, for a rule's labels and annotations exactly as Prometheus does it:
 *
 *   await expandAlertTemplate(alertTemplateName("HighLoad"), "{{ $labels.job }} is down", ctx);
 */
import { ALERT_HEADER, alertTemplateData, alertTemplateName } from "./alert.js";
import { BUILTINS } from "./builtins.js";
import { toGoValue } from "./convert.js";
import { TemplateError } from "./errors.js";
import { type ExecTemplate, execute } from "./exec.js";
import { PROMETHEUS_FUNC_NAMES, type TemplateQuery, type TemplateSample, prometheusFuncs } from "./funcs.js";
import { parseTrees } from "./parser.js";

export { ALERT_HEADER, alertTemplateData, alertTemplateName, TemplateError };
export type { TemplateQuery, TemplateSample };

export interface ExpandContext {
  /** The alert's labels. */
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  externalURL: string;
  /** The alert's value. */
  value: number;
  /** Evaluation time in milliseconds: the time `query` runs at and `now` returns. */
  timeMs: number;
  query: TemplateQuery;
}

export interface Template {
  /** Runs the template over `data` (a GoValue such as alertTemplateData(), or plain
   * JavaScript data, see convert.ts). Throws TemplateError with Go's message. */
  execute(data: unknown, ctx: ExpandContext): Promise<string>;
}

const hasFunction = (name: string): boolean => PROMETHEUS_FUNC_NAMES.has(name) || BUILTINS.has(name);

class ParsedTemplate implements Template {
  constructor(private readonly t: ExecTemplate) {}

  execute(data: unknown, ctx: ExpandContext): Promise<string> {
    const funcs = prometheusFuncs({ query: ctx.query, timeMs: ctx.timeMs, externalURL: ctx.externalURL });
    return execute(this.t, toGoValue(data), funcs, BUILTINS);
  }
}

/** Parses once; throws TemplateError (with .message in Go's wording) on syntax errors. */
export function parseTemplate(name: string, text: string): Template {
  return new ParsedTemplate({ name, trees: parseTrees(name, text, hasFunction) });
}

/** Parsed alert templates by name and text: rules expand the same texts every interval. */
const parsed = new Map<string, Template | TemplateError>();
const PARSED_LIMIT = 1024;

function parseCached(name: string, text: string): Template {
  const key = name + "\u0000" + text;
  let t = parsed.get(key);
  if (t === undefined) {
    try {
      t = parseTemplate(name, text);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      t = e;
    }
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, t);
  }
  if (t instanceof TemplateError) throw t;
  return t;
}

/**
 * What Prometheus does for each label and annotation of a firing alert: prepend the
 * header, parse, execute. `name` is the template name, which Prometheus sets to
 * "__alert_" + the alert name (alertTemplateName). On any error the result is the
 * text Prometheus puts in the label or annotation: `<error expanding template: ...>`.
 */
export async function expandAlertTemplate(name: string, text: string, ctx: ExpandContext): Promise<string> {
  let t: Template;
  try {
    t = parseCached(name, ALERT_HEADER + text);
  } catch (e) {
    return `<error expanding template: error parsing template ${name}: ${message(e)}>`;
  }
  try {
    return await t.execute(alertTemplateData(ctx.labels, ctx.externalLabels, ctx.externalURL, ctx.value), ctx);
  } catch (e) {
    if (e instanceof TemplateError) return `<error expanding template: error executing template ${name}: ${e.message}>`;
    return `<error expanding template: panic expanding template ${name}: ${message(e)}>`;
  }
}

/** For `promtool check rules`: parse with the header; Go's error message, or null. */
export function checkTemplate(name: string, text: string): string | null {
  try {
    parseTemplate(name, ALERT_HEADER + text);
    return null;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
