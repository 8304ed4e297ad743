import { describe, expect, it } from "vitest";
import { Harness, MIN, ruleFile, SETTINGS, T0 } from "./helpers.js";

const group = (h: Harness, name = "g") => h.manager.get(`rules.yml;${name}`)!;

describe("recording rules", () => {
  it("write their results under the record name with the rule's labels", async () => {
    const h = new Harness();
    await h.load(T0, MIN, 'http_requests{job="api",instance="a"} 1 2 3', 'http_requests{job="api",instance="b"} 10 20 30', 'http_requests{job="web",instance="c"} 5 5 5');
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: job:http_requests:sum\n        expr: sum by (job) (http_requests)\n        labels: {source: rules}\n")], SETTINGS);
    const g = group(h);
    h.now = T0 + MIN;
    await g.iterate(T0 + MIN);
    h.now = T0 + 2 * MIN + 5;
    await g.iterate(T0 + 2 * MIN);
    expect(await h.samples("job:http_requests:sum")).toEqual([
      { labels: { __name__: "job:http_requests:sum", job: "api", source: "rules" }, points: [[T0 + MIN, 22], [T0 + 2 * MIN, 33]] },
      { labels: { __name__: "job:http_requests:sum", job: "web", source: "rules" }, points: [[T0 + MIN, 5], [T0 + 2 * MIN, 5]] },
    ]);
    expect(g.rules[0]!.health).toBe("ok");
    expect(g.rules[0]!.lastError).toBe("");
    // When it last ran by the wall clock, and which slot that was.
    expect(g.rules[0]!.evaluationTimestamp).toBe(T0 + 2 * MIN + 5);
    expect(g.lastEvalTimestamp).toBe(T0 + 2 * MIN);
  });

  it("let later rules of a group read what earlier ones wrote in the same evaluation", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "x 4 4 4");
    h.manager.update(
      [ruleFile("groups:\n  - name: g\n    rules:\n      - record: x:double\n        expr: x * 2\n      - record: x:quadruple\n        expr: x:double * 2\n")],
      SETTINGS,
    );
    await group(h).iterate(T0 + MIN);
    expect(await h.samples("x:quadruple")).toEqual([{ labels: { __name__: "x:quadruple" }, points: [[T0 + MIN, 16]] }]);
  });

  it("let an alert's query template read what earlier rules wrote in the same evaluation", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "x 4 4 4");
    const alert = "      - alert: A\n        expr: x > 0\n        annotations: {doubled: '{{ query \"x:double\" | first | value }}'}\n";
    h.manager.update([ruleFile(`groups:\n  - name: g\n    rules:\n      - record: x:double\n        expr: x * 2\n${alert}`)], SETTINGS);
    await group(h).iterate(T0 + MIN);
    expect(h.takeSent().map((a) => a.annotations)).toEqual([{ doubled: "8" }]);
  });

  it("mark a series stale when it leaves the result, as Prometheus does", async () => {
    const h = new Harness();
    // b has one sample at T0: instant queries find it for 5m (the lookback), then not.
    await h.load(T0, MIN, 'up{instance="a"} 1 1 1 1 1 1', 'up{instance="b"} 1');
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: up:copy\n        expr: up\n")], SETTINGS);
    const g = group(h);
    for (let i = 1; i <= 6; i++) await g.iterate(T0 + i * MIN);
    const [a, b] = await h.samples("up:copy");
    expect(a!.points.map((p) => p[1])).toEqual([1, 1, 1, 1, 1, 1]);
    expect(b!.points).toEqual([
      [T0 + MIN, 1],
      [T0 + 2 * MIN, 1],
      [T0 + 3 * MIN, 1],
      [T0 + 4 * MIN, 1],
      [T0 + 5 * MIN, "stale"],
    ]);
  });

  it("report results that collide after relabelling as an error", async () => {
    const h = new Harness();
    await h.load(T0, MIN, 'm{a="1",b="x"} 1', 'm{a="1",b="y"} 2');
    h.manager.update([ruleFile('groups:\n  - name: g\n    rules:\n      - record: r\n        expr: m\n        labels: {b: same}\n')], SETTINGS);
    const g = group(h);
    await g.iterate(T0);
    expect(g.rules[0]!.health).toBe("err");
    expect(g.rules[0]!.lastError).toBe("vector contains metrics with the same labelset after applying rule labels");
    expect(await h.samples("r")).toEqual([]);
    expect(h.manager.metrics().groups["rules.yml;g"]!.failures).toBe(1);
  });

  it("remove a label the rule sets to the empty string", async () => {
    const h = new Harness();
    await h.load(T0, MIN, 'm{job="a",instance="i"} 1');
    h.manager.update([ruleFile('groups:\n  - name: g\n    rules:\n      - record: r\n        expr: m\n        labels: {instance: ""}\n')], SETTINGS);
    await group(h).iterate(T0);
    expect((await h.samples("r")).map((s) => s.labels)).toEqual([{ __name__: "r", job: "a" }]);
  });

  it("turn a scalar result into a series without labels", async () => {
    const h = new Harness();
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: answer\n        expr: 6 * 7\n")], SETTINGS);
    await group(h).iterate(T0);
    expect(await h.samples("answer")).toEqual([{ labels: { __name__: "answer" }, points: [[T0, 42]] }]);
  });

  it("fail on a string result like Prometheus", async () => {
    const h = new Harness();
    h.manager.update([ruleFile('groups:\n  - name: g\n    rules:\n      - record: s\n        expr: \'"text"\'\n')], SETTINGS);
    const g = group(h);
    await g.iterate(T0);
    expect(g.rules[0]!.lastError).toBe("rule result is not a vector or scalar");
  });

  it("honour the group limit", async () => {
    const h = new Harness();
    await h.load(T0, MIN, 'm{i="1"} 1', 'm{i="2"} 1');
    h.manager.update([ruleFile("groups:\n  - name: g\n    limit: 1\n    rules:\n      - record: r\n        expr: m\n")], SETTINGS);
    const g = group(h);
    await g.iterate(T0);
    expect(g.rules[0]!.lastError).toBe("exceeded limit of 1 with 2 series");
    expect(await h.samples("r")).toEqual([]);
  });

  it("query and write at the evaluation time minus query_offset", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "m 1 2 3 4");
    h.manager.update([ruleFile("groups:\n  - name: g\n    query_offset: 2m\n    rules:\n      - record: r\n        expr: m\n")], SETTINGS);
    await group(h).iterate(T0 + 3 * MIN);
    expect(await h.samples("r")).toEqual([{ labels: { __name__: "r" }, points: [[T0 + MIN, 2]] }]);
  });

  it("take global.rule_query_offset when the group sets none", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "m 1 2 3 4");
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: m\n")], { ...SETTINGS, queryOffsetMs: MIN });
    await group(h).iterate(T0 + 3 * MIN);
    expect(await h.samples("r")).toEqual([{ labels: { __name__: "r" }, points: [[T0 + 2 * MIN, 3]] }]);
  });

  it("count a rejected sample against the rule with Prometheus' error", async () => {
    const h = new Harness();
    await h.load(T0, MIN, "m 1 1");
    h.manager.update([ruleFile("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: m\n")], SETTINGS);
    const g = group(h);
    await g.iterate(T0 + MIN);
    // Evaluating an earlier slot again writes out of order.
    await g.iterate(T0);
    expect(g.rules[0]!.health).toBe("err");
    expect(g.rules[0]!.lastError).toBe("out of order sample");
  });
});
