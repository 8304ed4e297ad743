import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILTINS } from "../../../src/rules/template/builtins.js";
import { PROMETHEUS_FUNC_NAMES } from "../../../src/rules/template/funcs.js";
import {
  ALERT_HEADER,
  TemplateError,
  alertTemplateData,
  expandAlertTemplate,
  parseTemplate,
} from "../../../src/rules/template/index.js";
import { CTX } from "./helpers.js";
import { holdsAsync } from "../../support/property.js";

const FUNCS = [...PROMETHEUS_FUNC_NAMES, ...BUILTINS.keys()];

/** Pieces that make mostly-valid templates, so execution paths get exercised too. */
const token = fc.oneof(
  fc.constantFrom(
    "{{ ",
    " }}",
    "{{- ",
    " -}}",
    "{{/* c */}}",
    "if ",
    "else ",
    "end",
    "range ",
    "with ",
    "break",
    "continue",
    'define "t"',
    'template "t" ',
    'block "b" ',
    ". ",
    ".Labels ",
    ".Labels.job ",
    ".Value ",
    "$labels ",
    "$labels.instance ",
    "$value ",
    "$ ",
    "$x ",
    "$x := ",
    "$x = ",
    "$i, $e := ",
    "| ",
    "(",
    ")",
    '"str" ',
    "`raw` ",
    '"up" ',
    '"%v %d %s %.2f %q %x" ',
    "0 ",
    "1 ",
    "3 ",
    "-1.5 ",
    "1e3 ",
    "'a' ",
    "nil ",
    "true ",
    "false ",
    "text ",
    "\n",
  ),
  fc.constantFrom(...FUNCS).map((f) => f + " "),
);

const templateText = fc.array(token, { maxLength: 24 }).map((parts) => parts.join(""));

/** Well-formed templates: actions with pipelines, nested if/with/range/else blocks. */
const operand = fc.constantFrom(
  ".",
  ".Labels",
  ".Labels.job",
  ".Value",
  "$labels",
  "$labels.instance",
  "$value",
  "$",
  '"str"',
  "`raw`",
  '"up"',
  '"%v|%d|%.2f"',
  "0",
  "1",
  "3",
  "-1.5",
  "1e3",
  "'a'",
  "true",
  "nil",
);
const command = fc.oneof(
  operand,
  fc.tuple(fc.constantFrom(...FUNCS), fc.array(operand, { maxLength: 3 })).map(([f, args]) => [f, ...args].join(" ")),
);
const pipeline = fc.array(command, { minLength: 1, maxLength: 3 }).map((cmds) => cmds.join(" | "));
const { node } = fc.letrec<{ node: string; nodes: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("text ", "\n", "{{/* c */}}"),
    pipeline.map((p) => `{{ ${p} }}`),
    pipeline.map((p) => `{{ $x := ${p} }}{{ $x }}`),
    fc.tuple(fc.constantFrom("if", "with", "range"), pipeline, tie("nodes"), tie("nodes")).map(
      ([kw, p, a, b]) => `{{ ${kw} ${p} }}${a}{{ else }}${b}{{ end }}`,
    ),
    fc.tuple(pipeline, tie("nodes")).map(([p, a]) => `{{ range $i, $e := ${p} }}{{ if $i }}{{ break }}{{ end }}${a}{{ end }}`),
  ),
  nodes: fc.array(tie("node"), { maxLength: 3 }).map((ns) => ns.join("")),
}));

let executed = 0;

async function expandOrTemplateError(text: string): Promise<void> {
  let t;
  try {
    t = parseTemplate("p", ALERT_HEADER + text);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return;
  }
  try {
    const out = await t.execute(alertTemplateData(CTX.labels, CTX.externalLabels, CTX.externalURL, CTX.value), CTX);
    expect(typeof out).toBe("string");
    executed++;
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
  }
}

describe("random templates", () => {
  it("token soup parses and runs to a string or a TemplateError, and finishes", async () => {
    await holdsAsync(
      fc.asyncProperty(templateText, async (text) => {
        await expandOrTemplateError(text);
      }),
      { numRuns: 600 },
    );
  });

  it("well-formed templates (nested blocks and pipelines) run to a string or a TemplateError", async () => {
    executed = 0;
    await holdsAsync(
      fc.asyncProperty(node, async (text) => {
        await expandOrTemplateError(text);
      }),
      { numRuns: 600 },
    );
    // Most of them type-check at run time too, so execution paths are exercised.
    expect(executed).toBeGreaterThan(100);
  });

  it("arbitrary text only ever fails with TemplateError", async () => {
    await holdsAsync(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 60 }), async (s) => {
        await expandOrTemplateError(s);
        await expandOrTemplateError("{{ " + s + " }}");
      }),
      { numRuns: 400 },
    );
  });

  it("expandAlertTemplate never throws: errors become the <error expanding template: ...> text", async () => {
    await holdsAsync(
      fc.asyncProperty(templateText, async (text) => {
        const out = await expandAlertTemplate("__alert_P", text, CTX);
        expect(typeof out).toBe("string");
        if (out.startsWith("<error expanding template: ")) expect(out).toMatch(/^<error expanding template: error (parsing|executing) template __alert_P: template: /);
      }),
      { numRuns: 300 },
    );
  });

  it("text without actions is copied unchanged", async () => {
    await holdsAsync(
      fc.asyncProperty(
        fc.string().filter((s) => !s.includes("{{")),
        async (s) => {
          expect(await expandAlertTemplate("__alert_P", s, CTX)).toBe(s);
        },
      ),
      { numRuns: 300 },
    );
  });
});
