import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/index.js";
import { cpuTime } from "../support/growth.js";

// Found by test/fuzz/config.test.ts: parseConfig expanded aliases without limit (nine
// levels of nine aliases, 2 KB of YAML, meant 387 million nodes: hours of work), looked
// every alias up by walking the whole document (3,000 aliases: 11 s), and handed
// documents nested thousands deep to a recursive composer that ran out of stack.
describe("hostile YAML in prometheus.yml", () => {
  function failure(yaml: string): string {
    try {
      parseConfig(yaml);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    throw new Error("expected a ConfigError");
  }

  function laughs(levels: number): string {
    let y = 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 1; i < levels; i++) y += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(",")}]\n`;
    return y + `global:\n  external_labels: *a${levels - 1}\n`;
  }

  it("stops an alias bomb with go-yaml's message, at once", () => {
    let message: string | undefined;
    const ms = cpuTime(() => (message = failure(laughs(9))));
    expect(message).toBe("yaml: document contains excessive aliasing");
    expect(ms).toBeLessThan(2000);
  });

  it("keeps honest anchors and aliases working", () => {
    const cfg = parseConfig(
      "global:\n  scrape_interval: &i 30s\nscrape_configs:\n  - job_name: a\n    scrape_interval: *i\n    static_configs: &t\n      - targets: [x:1]\n  - job_name: b\n    static_configs: *t\n",
    );
    expect(cfg.scrapeConfigs.map((s) => [s.jobName, s.scrapeInterval])).toEqual([
      ["a", 30_000],
      ["b", 30_000],
    ]);
  });

  it("resolves thousands of aliases in linear time", () => {
    const n = 3000;
    const y = "x: &a v\nlist:\n" + Array.from({ length: n }, () => "  - *a").join("\n") + "\n";
    let message: string | undefined;
    const ms = cpuTime(() => (message = failure(y)));
    expect(message).toMatch(/field (x|list) not found/);
    expect(ms).toBeLessThan(3000);
  });

  it("refuses documents nested deeper than any configuration with an error, not a crash", () => {
    for (const y of ["a: " + "[".repeat(50_000) + "]".repeat(50_000), "x: " + "{".repeat(50_000), "- ".repeat(20_000)]) {
      expect(failure(y)).toBe("yaml: exceeded max depth of 200");
    }
    expect(failure("a: &x {b: *x}\n")).toMatch(/^yaml: /);
  });
});
