import { expect } from "vitest";
import {
  ALERT_HEADER,
  type ExpandContext,
  type TemplateSample,
  TemplateError,
  alertTemplateData,
  parseTemplate,
} from "../../../src/rules/template/index.js";

/** Query results keyed by expression, in the order the engine returned them. */
export const RESULTS: Record<string, TemplateSample[]> = {
  up: [
    { labels: { __name__: "up", instance: "b:9100", job: "node" }, value: 0 },
    { labels: { __name__: "up", instance: "a:9100", job: "node" }, value: 1 },
  ],
  "metric{__value__='a'}": [{ labels: { __name__: "metric", __value__: "a" }, value: 11 }],
  missing: [],
};

export const queried: Array<{ expr: string; timeMs: number }> = [];

export const CTX: ExpandContext = {
  labels: { __name__: "up", instance: "host:9100", job: "node" },
  externalLabels: { region: "eu-1" },
  externalURL: "http://testhost:9090/path/prefix",
  value: 1234567,
  timeMs: 1353755652000,
  query: async (expr, timeMs) => {
    queried.push({ expr, timeMs });
    const r = RESULTS[expr];
    if (r === undefined) throw new Error(`1:1: parse error: unknown expression ${JSON.stringify(expr)}`);
    return r.map((s) => ({ labels: { ...s.labels }, value: s.value }));
  },
};

/** Parses `text` as template "test" and runs it over `data`. */
export async function run(text: string, data?: unknown, ctx: ExpandContext = CTX): Promise<string> {
  return parseTemplate("test", text).execute(data, ctx);
}

/** Runs `text` with the alert header over the alert data of ctx, like Prometheus. */
export async function alert(text: string, ctx: ExpandContext = CTX): Promise<string> {
  return parseTemplate("test", ALERT_HEADER + text).execute(alertTemplateData(ctx.labels, ctx.externalLabels, ctx.externalURL, ctx.value), ctx);
}

/** The TemplateError message of parsing or running `text`. */
export async function failure(text: string, data?: unknown): Promise<string> {
  let err: unknown;
  try {
    await run(text, data);
  } catch (e) {
    err = e;
  }
  expect(err, text).toBeInstanceOf(TemplateError);
  return (err as Error).message;
}

/** The message of a failing template with the alert header; `col` offsets count it. */
export async function alertFailure(text: string): Promise<string> {
  let err: unknown;
  try {
    await alert(text);
  } catch (e) {
    err = e;
  }
  expect(err, text).toBeInstanceOf(TemplateError);
  return (err as Error).message;
}

/** Column of the user's text after the 112-byte header, as Go reports it. */
export const HEADER_LEN = ALERT_HEADER.length;
