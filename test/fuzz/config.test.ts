import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/index.js";
import { EVERY_FIELD, VALID } from "../config/fixtures.js";
import { fuzz, fuzzTimeout } from "./fuzz_options.js";
import { aliasBomb, damagedText, deepNesting, manyAliases, mutatedDocument } from "./yaml_mutations.js";
import { bestTime } from "../support/growth.js";

/** Fuzzing the prometheus.yml loader, which reads whatever is pushed into the CONFIG
 * namespace: a configuration loads or fails with a ConfigError carrying a message,
 * never another exception, and hostile YAML (alias bombs, deep nesting) fails as
 * quickly as an ordinary file loads. */

function fail(msg: string): never {
  throw new Error(msg);
}

const SEEDS = [
  ...Object.values(VALID).filter((y) => y.trim() !== ""),
  `
global:
  scrape_interval: 15s
  external_labels: {region: eu}
  body_size_limit: 10MB
  sample_limit: 1000
scrape_configs:
  - job_name: node
    scrape_timeout: 5s
    static_configs: [{targets: ["a:9100"], labels: {env: prod}}]
    relabel_configs:
      - {source_labels: [__address__], regex: "(.*):\\\\d+", target_label: host, replacement: "$1", action: replace}
      - {action: hashmod, source_labels: [host], modulus: 4, target_label: shard}
      - {action: labelmap, regex: "__meta_(.+)"}
      - {action: keepequal, source_labels: [a], target_label: b}
    metric_relabel_configs:
      - {action: drop, source_labels: [__name__], regex: "go_.*"}
remote_write:
  - url: http://rw.example/api/v1/write
    queue_config: {capacity: 100, max_shards: 2}
rule_files: [rules/*.yml]
`,
];

/** Loads `y`; anything but a ConfigError with a message fails the property. */
function load(y: string): "ok" | ConfigError {
  try {
    parseConfig(y);
    return "ok";
  } catch (e) {
    if (!(e instanceof ConfigError)) fail(`${JSON.stringify(y.slice(0, 300))} threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    if (e.message.trim() === "") fail(`${JSON.stringify(y.slice(0, 300))}: a ConfigError without a message`);
    return e;
  }
}

describe("fuzzing the configuration loader", () => {
  it("loads the seeds", () => {
    for (const y of SEEDS) expect(load(y)).toBe("ok");
  });

  it("structurally mutated configurations load or fail with a ConfigError", () => {
    let refused = 0;
    fuzz(
      fc.property(mutatedDocument(SEEDS), (y) => {
        if (load(y) !== "ok") refused++;
      }),
      3,
    );
    expect(refused).toBeGreaterThan(0);
  }, fuzzTimeout());

  it("damaged YAML text loads or fails with a ConfigError", () => {
    fuzz(fc.property(damagedText(SEEDS), (y) => void load(y)), 3);
  }, fuzzTimeout());

  it("random text loads or fails with a ConfigError", () => {
    fuzz(fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 100 }), fc.string({ unit: fc.constantFrom(..."ab: -[]{}&*!|>#'\"\n\t%<"), maxLength: 80 })), (y) => void load(y)), 2);
  }, fuzzTimeout());

  it("alias bombs, deep nesting and thousands of aliases end quickly, wherever they are placed", () => {
    // An honest file of about the same size, as the yardstick.
    const honest = `${EVERY_FIELD}\n${"# padding\n".repeat(200)}`;
    load(honest);
    const baseline = Math.max(bestTime(() => load(honest), 3, 0), 2);
    const placed = fc.oneof(
      aliasBomb.map(({ anchors, top }) => `${anchors}global:\n  external_labels: ${top}\n`),
      aliasBomb.map(({ anchors, top }) => `${anchors}scrape_configs:\n  - job_name: x\n    static_configs: [{targets: ${top}}]\n`),
      aliasBomb.map(({ anchors, top }) => `${anchors}scrape_configs: ${top}\n`),
      deepNesting(30_000).map((d) => `global:\n  external_labels: ${d}\n`),
      deepNesting(30_000).map((d) => `scrape_configs: ${d}\n`),
      manyAliases.map(({ anchor, list }) => `scrape_configs:\n  - job_name: x\n    static_configs:\n      - targets: ${list}\n        labels: {a: ${anchor}}\n`),
    );
    fuzz(
      fc.property(placed, (y) => {
        const ms = bestTime(() => void load(y), 3, 0);
        // Expanding a bomb is exponential, so a bound linear in the file is the test.
        if (ms > baseline * 50 + 50 * (y.length / 1000)) fail(`${JSON.stringify(y.slice(0, 200))}... (${y.length} chars) took ${ms.toFixed(0)} ms, an honest file ${baseline.toFixed(1)} ms`);
      }),
      100,
    );
  }, fuzzTimeout());
});
