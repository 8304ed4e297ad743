import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord } from "../../../src/model/labels.js";
import { Engine } from "../../../src/promql/engine/engine.js";
import {
  type ExpandContext,
  type TemplateQuery,
  alertTemplateName,
  expandAlertTemplate,
} from "../../../src/rules/template/index.js";
import { MemoryStorage } from "../../../src/storage/memory_storage.js";
import { CTX } from "./helpers.js";

const NAME = alertTemplateName("HighLoad");

describe("expandAlertTemplate: what Prometheus puts in an alert's labels and annotations", () => {
  it("names templates __alert_<alertname>", () => {
    expect(NAME).toBe("__alert_HighLoad");
  });

  it("defines $labels, $externalLabels, $externalURL and $value, and .Labels etc. as data", async () => {
    const out = await expandAlertTemplate(
      NAME,
      "{{ $labels.instance }} of {{ .Labels.job }} in {{ $externalLabels.region }} ({{ $externalURL }}) is at {{ $value }} = {{ .Value | humanize }}",
      CTX,
    );
    expect(out).toBe("host:9100 of node in eu-1 (http://testhost:9090/path/prefix) is at 1.234567e+06 = 1.235M");
  });

  it("is text/template, not html/template: nothing is escaped", async () => {
    expect(await expandAlertTemplate(NAME, '{{ "<b>" }} & {{ $labels.job }}', { ...CTX, labels: { job: "a&b<c>" } })).toBe("<b> & a&b<c>");
  });

  it("turns a parse error into the label text Prometheus uses", async () => {
    expect(await expandAlertTemplate(NAME, "{{ $labels.foo }", CTX)).toBe(
      '<error expanding template: error parsing template __alert_HighLoad: template: __alert_HighLoad:1: unexpected "}" in operand>',
    );
    expect(await expandAlertTemplate(NAME, "{{ foo }}", CTX)).toBe(
      '<error expanding template: error parsing template __alert_HighLoad: template: __alert_HighLoad:1: function "foo" not defined>',
    );
  });

  it("turns an execution error into the label text Prometheus uses, columns counting the header", async () => {
    expect(await expandAlertTemplate(NAME, "{{ gt $value 80 }}", CTX)).toBe(
      '<error expanding template: error executing template __alert_HighLoad: template: __alert_HighLoad:1:115: executing "__alert_HighLoad" at <gt $value 80>: error calling gt: incompatible types for comparison: float64 and int>',
    );
    expect(await expandAlertTemplate(NAME, "{{ gt $value 80.0 }}", CTX)).toBe("true");
  });

  it("expands the same text again for every alert (the parse is reused)", async () => {
    const a = await expandAlertTemplate(NAME, "{{ $labels.instance }}", { ...CTX, labels: { instance: "a" } });
    const b = await expandAlertTemplate(NAME, "{{ $labels.instance }}", { ...CTX, labels: { instance: "b" } });
    expect([a, b]).toEqual(["a", "b"]);
  });

  it("reports a failing query with the engine's message", async () => {
    const ctx: ExpandContext = {
      ...CTX,
      query: async () => {
        throw new Error("query timed out in expression evaluation");
      },
    };
    expect(await expandAlertTemplate(NAME, '{{ query "up" }}', ctx)).toBe(
      '<error expanding template: error executing template __alert_HighLoad: template: __alert_HighLoad:1:115: executing "__alert_HighLoad" at <query "up">: error calling query: query timed out in expression evaluation>',
    );
  });
});

describe("templates querying the PromQL engine", () => {
  // The adapter a rule manager uses (Prometheus' EngineQueryFunc): vectors as they are,
  // a scalar as one sample without labels, anything else an error.
  function engineQuery(storage: MemoryStorage): TemplateQuery {
    const engine = new Engine();
    return async (expr, timeMs) => {
      const r = await engine.instantQuery(storage.querier(), expr, timeMs);
      if (r.value.type === "vector") return r.value.samples.map((s) => ({ labels: labelsToRecord(s.labels), value: s.v }));
      if (r.value.type === "scalar") return [{ labels: {}, value: r.value.v }];
      throw new Error("rule result is not a vector or scalar");
    };
  }

  it("runs the query at the alert's evaluation time", async () => {
    const storage = new MemoryStorage();
    const app = storage.appender();
    for (let i = 0; i <= 10; i++) {
      app.append(labelsFromRecord({ __name__: "node_load1", instance: "a:9100", job: "node" }), i * 60_000, 2 + i);
      app.append(labelsFromRecord({ __name__: "node_load1", instance: "b:9100", job: "node" }), i * 60_000, 10 * i);
    }
    await app.commit();
    const ctx: ExpandContext = { ...CTX, timeMs: 300_000, query: engineQuery(storage) };
    const text =
      '{{ range query "node_load1" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }} {{ end }}' +
      '| max {{ query "max(node_load1)" | first | value | humanize }}' +
      '| {{ query "scalar(max(node_load1))" | first | value }}' +
      '| {{ with query "node_load1 > 100" }}high{{ else }}none{{ end }}';
    expect(await expandAlertTemplate(NAME, text, ctx)).toBe("a:9100=7 b:9100=50 | max 50| 50| none");
    expect(await expandAlertTemplate(NAME, '{{ query "sum(" }}', ctx)).toMatch(
      /^<error expanding template: error executing template __alert_HighLoad: template: __alert_HighLoad:1:115: executing "__alert_HighLoad" at <query "sum\(">: error calling query: .+>$/,
    );
  });
});
