import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { targetGroupFromRaw } from "../../src/discovery/target_group.js";
import type { Labels } from "../../src/model/labels.js";
import { isStaleNaN } from "../../src/model/sample.js";
import { CACHE_KEEP_SCRAPES, ScrapeCache } from "../../src/scrape/scrape_cache.js";
import { newTargetState, scrapeOnce, type Fetch, type ScrapeTarget, type TargetState } from "../../src/scrape/scrape_loop.js";
import { resolveTargets } from "../../src/scrape/target_set.js";
import { MemoryStorage } from "../../src/storage/memory_storage.js";
import type { Appender } from "../../src/storage/storage.js";
import { parseExpositionBatches } from "../../src/textparse/index.js";

/** Keeps every committed append in order, as text, so two runs compare exactly. */
class RecordingStorage extends MemoryStorage {
  readonly log: string[] = [];
  override appender(): Appender {
    const inner = super.appender();
    const pending: string[] = [];
    return {
      append: (ls: Labels, t: number, v: number) => {
        const name = ls.find((l) => l.name === "__name__")?.value;
        // The only value that depends on the clock rather than the body.
        const shown = name === "scrape_duration_seconds" && !isStaleNaN(v) ? "d" : isStaleNaN(v) ? "stale" : String(v);
        pending.push(`{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(",")}} ${t} ${shown}`);
        inner.append(ls, t, v);
      },
      commit: async () => {
        this.log.push(...pending, "--commit");
        return inner.commit();
      },
      rollback: () => {
        pending.length = 0;
        inner.rollback();
      },
    };
  }
}

const HIST = `# TYPE h histogram
h_bucket{le="1"} 1
h_bucket{le="+Inf"} 2
h_sum 3
h_count 2
`;

/** Pages a target serves over time: every feature whose result the cache holds. */
const PAGES: { body: string; type?: string }[] = [
  {
    body:
      HIST +
      `# TYPE s summary
s{quantile="0.5"} 1
s_sum 1
s_count 1
plain 1
esc{v="}\\"{",w="a\\\\b\\nc"} 2
clash{job="scraped",instance="i"} 3
pushed{instance="",job="batch"} 4
dropme{x="1"} 5
keep{x="1"} 6
keep{x="1"} 7
ts{a="b"} 8 1700000000000
  spaced {a = "b" , c="d"}  9
`,
  },
  // Same series, new values; "plain" and "esc" vanish, "fresh" appears.
  {
    body: HIST.replace(" 2\n", " 5\n") + `clash{job="scraped",instance="i"} 30\ndropme{x="1"} 50\nkeep{x="1"} 60\nfresh 1\n  spaced {a = "b" , c="d"}  90\n`,
  },
  // The same bucket text under another family type: `le` is no longer normalised.
  { body: `# TYPE h gauge\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nkeep{x="1"} 61\n` },
  // An exposition error half way: nothing of this body is stored.
  { body: `keep{x="1"} 62\nbroken{x="1" 1\n` },
  // OpenMetrics: other syntax rules, so nothing cached from the text format applies.
  { body: `# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\nkeep{x="1"} 63 1700000000.5\n# EOF\n`, type: "application/openmetrics-text; version=1.0.0" },
  // Label values over the configured length limit fail the scrape, cached or not.
  { body: `keep{x="1"} 64\nlong{x="${"y".repeat(40)}"} 1\n` },
  // More samples than sample_limit (the 'limited' config) allows.
  { body: Array.from({ length: 30 }, (_, i) => `many{i="${i}"} ${i}`).join("\n") + "\n" },
  // Lines in the same positions as the next page's that only start like them: a
  // prefix of a name, a bare name before `name {...}`, `le` normalised or not.
  { body: `# TYPE h histogram\nh_bucket{le="1.0"} 1\nfoo 1\nfoo_bar{a="b"} 2\nbar 3\n` },
  { body: `h_bucket{le="1.0"} 1\nfoo_bar 1\nfoo {a="b"} 2\nbar\t4\n` },
  // Two lines that the 'labeldrop' config relabels into one series.
  { body: `dup{x="1"} 1\ndup{x="2"} 2\nplain 3\n` },
];

function configs(): ScrapeTarget[] {
  const yaml = (extra: string) =>
    parseConfig(`scrape_configs:
  - job_name: job
    static_configs: [{targets: ["t:1"]}]
${extra}`).scrapeConfigs[0]!;
  const variants = [
    yaml(`    label_value_length_limit: 30
    metric_relabel_configs:
      - {source_labels: [__name__], regex: dropme, action: drop}
      - {source_labels: [__name__], regex: "keep", target_label: kept, replacement: "yes"}`),
    yaml(`    honor_labels: true
    metric_relabel_configs:
      - {source_labels: [__name__], regex: "keep|clash", action: drop}`),
    yaml(`    honor_timestamps: false
    sample_limit: 20
    label_limit: 3`),
    // As the first but for metric_relabel_configs alone: a reload changing only them.
    yaml(`    label_value_length_limit: 30
    metric_relabel_configs:
      - {source_labels: [__name__], regex: "keep", target_label: kept, replacement: "other"}`),
    // Drops the label that tells the 'dup' lines apart.
    yaml(`    metric_relabel_configs:
      - {regex: x, action: labeldrop}`),
  ];
  return variants.map((sc) => {
    const r = resolveTargets(sc, [targetGroupFromRaw({ targets: ["t:1"], labels: {} }, "static")]);
    return r.active[0]!.target;
  });
}

function fetchServing(page: { body: string; type?: string }): Fetch {
  return async () => new Response(page.body, { headers: { "content-type": page.type ?? "text/plain; version=0.0.4" } });
}

/** What a scrape's result says, less its clock readings. */
function outcome(s: TargetState): unknown {
  return { series: s.series, metadata: s.metadata, health: s.health, lastError: s.lastError, skewed: s.skewedSamples };
}

/** Scrapes the given (page, config) sequence twice, with one cache throughout and with
 * none, and returns both runs' appends and outcomes. */
async function bothWays(steps: readonly (readonly [number, number])[], targets: ScrapeTarget[], pages = PAGES) {
  const runs = [];
  for (const cache of [new ScrapeCache(), undefined]) {
    const st = new RecordingStorage();
    let state = newTargetState();
    const outcomes: unknown[] = [];
    let t = 1_700_000_000_000;
    for (const [page, cfg] of steps) {
      t += 15_000;
      state = await scrapeOnce(targets[cfg]!, st, state, fetchServing(pages[page]!), t, cache);
      outcomes.push(outcome(state));
    }
    runs.push({ log: st.log, outcomes, size: cache?.size ?? 0 });
  }
  return { cached: runs[0]!, uncached: runs[1]! };
}

describe("scrape cache", () => {
  it("gives the same appends and results as scraping without it", async () => {
    const targets = configs();
    const steps: [number, number][] = [
      [0, 0], [0, 0], [1, 0], [0, 0], [2, 0], [0, 0], [3, 0], [0, 0], [4, 0], [0, 0], [5, 0], [5, 0], [0, 0],
      [0, 2], [6, 2], [6, 2], [0, 2], [0, 0], [0, 0],
    ];
    const { cached, uncached } = await bothWays(steps, targets);
    expect(cached.log).toEqual(uncached.log);
    expect(cached.outcomes).toEqual(uncached.outcomes);
    // The run covered relabel drops, rewrites, failures and stale markers.
    expect(uncached.log.some((l) => l.includes('kept="yes"'))).toBe(true);
    expect(uncached.log.some((l) => l.endsWith(" stale"))).toBe(true);
    expect(uncached.log.some((l) => l.includes("dropme"))).toBe(false);
    expect((uncached.outcomes as { lastError: string }[]).map((o) => o.lastError).filter((e) => e !== "").length).toBeGreaterThanOrEqual(3);
  });

  it("appends the first of two lines relabelled into one series, cached or not", async () => {
    const targets = configs();
    const dupPage = PAGES.length - 1;
    const dropConfig = targets.length - 1;
    const steps: [number, number][] = [[dupPage, dropConfig], [dupPage, dropConfig], [0, dropConfig], [dupPage, dropConfig]];
    const { cached, uncached } = await bothWays(steps, targets);
    expect(cached.log).toEqual(uncached.log);
    expect(cached.outcomes).toEqual(uncached.outcomes);
    const commits = uncached.log.join("\n").split("--commit");
    for (const c of [commits[0]!, commits[1]!, commits[3]!]) {
      expect(c.split("\n").filter((l) => l.startsWith('{__name__="dup"'))).toEqual([expect.stringMatching(/ 1$/)]);
    }
  });

  it("is rebuilt when the target's configuration changes", async () => {
    const targets = configs();
    // Config 0 rewrites and drops series; config 1 drops others and honours labels.
    const steps: [number, number][] = [[0, 0], [0, 0], [0, 1], [0, 1], [1, 0], [1, 1], [0, 0], [0, 3], [0, 3], [0, 0]];
    const { cached, uncached } = await bothWays(steps, targets);
    expect(cached.log).toEqual(uncached.log);
    expect(cached.outcomes).toEqual(uncached.outcomes);
    // Same page, other config: the cached labels of config 0 must not leak into config 1.
    const third = uncached.log.join("\n").split("--commit")[2]!.split("\n");
    expect(third.some((l) => l.includes('kept="yes"') && !l.endsWith(" stale"))).toBe(false);
    expect(third.some((l) => l.includes('kept="yes"') && l.endsWith(" stale"))).toBe(true);
    // Only the relabelling changed (same limits, labels, honor_labels).
    const eighth = uncached.log.join("\n").split("--commit")[7]!.split("\n");
    expect(eighth.some((l) => l.includes('kept="other"') && !l.endsWith(" stale"))).toBe(true);
    expect(eighth.some((l) => l.includes('kept="yes"') && !l.endsWith(" stale"))).toBe(false);
    expect(third.some((l) => l.includes("dropme"))).toBe(true);
  });

  it("matches an uncached scrape for any sequence of pages and configurations", async () => {
    const targets = configs();
    const step = fc.tuple(fc.integer({ min: 0, max: PAGES.length - 1 }), fc.integer({ min: 0, max: targets.length - 1 }));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const { cached, uncached } = await bothWays(steps, targets);
        expect(cached.log).toEqual(uncached.log);
        expect(cached.outcomes).toEqual(uncached.outcomes);
      }),
      { numRuns: 40 },
    );
  });

  it("spares known lines their label parsing", async () => {
    const [target] = configs();
    const cache = new ScrapeCache();
    await scrapeOnce(target!, new RecordingStorage(), newTargetState(), fetchServing(PAGES[0]!), 1, cache);
    const known = cache.size;
    expect(known).toBeGreaterThan(10);
    cache.begin(target!, "text");
    let hits = 0;
    let misses = 0;
    for await (const batch of parseExpositionBatches(new Response(PAGES[0]!.body).body!, "text", cache.lookup)) {
      for (const e of batch) {
        if (e.kind !== "sample") continue;
        if (e.cached !== undefined) {
          hits++;
          expect(e.labels).toEqual([]);
        } else misses++;
      }
    }
    expect(misses).toBe(0);
    // Every sample line hit, duplicates included.
    expect(hits).toBe(PAGES[0]!.body.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).length);
  });

  it("recognises an unchanged page's lines by their position, without looking them up", async () => {
    const [target] = configs();
    const cache = new ScrapeCache();
    await scrapeOnce(target!, new RecordingStorage(), newTargetState(), fetchServing(PAGES[0]!), 1, cache);
    cache.begin(target!, "text");
    let lookups = 0;
    const counting = Object.assign((series: string) => (lookups++, cache.lookup(series)), { previous: cache.lookup.previous });
    let hits = 0;
    for await (const batch of parseExpositionBatches(new Response(PAGES[0]!.body).body!, "text", counting)) {
      for (const e of batch) if (e.kind === "sample" && e.cached !== undefined) hits++;
    }
    expect([lookups, hits]).toEqual([0, PAGES[0]!.body.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).length]);
  });

  it("stays valid from one target resolution to the next under one configuration", () => {
    const sc = parseConfig(`scrape_configs:
  - job_name: job
    static_configs: [{targets: ["t:1"]}]
    metric_relabel_configs: [{source_labels: [__name__], regex: x, action: drop}]
`).scrapeConfigs[0]!;
    const resolve = () => resolveTargets(sc, [targetGroupFromRaw({ targets: ["t:1"], labels: {} }, "static")]).active[0]!.target;
    const first = resolve();
    const cache = new ScrapeCache();
    cache.begin(first, "text");
    cache.add("x", { labels: null, key: "", limitError: "", lastSeen: 0 });
    cache.begin(resolve(), "text");
    expect(cache.lookup("x")).toBeDefined();
    cache.begin({ ...resolve(), honorLabels: true }, "text");
    expect(cache.lookup("x")).toBeUndefined();
  });

  it("forgets series not seen for a few scrapes", async () => {
    const [target] = configs();
    const cache = new ScrapeCache();
    let state = newTargetState();
    const st = new RecordingStorage();
    state = await scrapeOnce(target!, st, state, fetchServing(PAGES[0]!), 1, cache);
    const full = cache.size;
    const small = { body: `keep{x="1"} 1\n` };
    const sizes: number[] = [];
    for (let i = 1; i <= CACHE_KEEP_SCRAPES; i++) {
      state = await scrapeOnce(target!, st, state, fetchServing(small), 1 + i, cache);
      sizes.push(cache.size);
    }
    expect(sizes.slice(0, -1).every((s) => s === full)).toBe(true);
    expect(sizes[sizes.length - 1]).toBe(1);
  });

  it("forgets the lines a steady page stops sending at its end", async () => {
    const [target] = configs();
    const lines = PAGES[0]!.body.split("\n");
    // The same page less its last two lines ("ts" and "spaced"): every line left is
    // where it was, so the scrape takes them by position only.
    const shorter = { body: lines.slice(0, -3).join("\n") + "\n" };
    const cache = new ScrapeCache();
    const st = new RecordingStorage();
    let state = await scrapeOnce(target!, st, newTargetState(), fetchServing(PAGES[0]!), 1, cache);
    const full = cache.size;
    const sizes: number[] = [];
    for (let i = 1; i <= CACHE_KEEP_SCRAPES; i++) {
      state = await scrapeOnce(target!, st, state, fetchServing(shorter), 1 + i, cache);
      sizes.push(cache.size);
    }
    expect(sizes).toEqual([...Array<number>(CACHE_KEEP_SCRAPES - 1).fill(full), full - 2]);
    // And the whole page again: its lines are known or learnt anew, as without a cache.
    state = await scrapeOnce(target!, st, state, fetchServing(PAGES[0]!), 10, cache);
    expect(cache.size).toBe(full);
    const again = await bothWays([[0, 0], ...Array.from({ length: CACHE_KEEP_SCRAPES }, () => [1, 0] as const), [0, 0], [0, 0]], configs(), [PAGES[0]!, shorter]);
    expect(again.cached.log).toEqual(again.uncached.log);
    expect(again.cached.outcomes).toEqual(again.uncached.outcomes);
  });

  it("hands back the last metadata record while the page's metadata lines stay the same", async () => {
    const [target] = configs();
    const cache = new ScrapeCache();
    const st = new RecordingStorage();
    const page = (help: string) => ({ body: `# HELP m ${help}\n# TYPE m counter\nm 1\n# HELP g gauge\n# TYPE g gauge\ng 2\n` });
    const first = await scrapeOnce(target!, st, newTargetState(), fetchServing(page("one")), 1, cache);
    const second = await scrapeOnce(target!, st, first, fetchServing(page("one")), 2, cache);
    expect(second.metadata).toBe(first.metadata);
    const third = await scrapeOnce(target!, st, second, fetchServing(page("two")), 3, cache);
    expect(third.metadata).not.toBe(first.metadata);
    expect(third.metadata).toEqual({ m: { type: "counter", help: "two", unit: "" }, g: { type: "gauge", help: "gauge", unit: "" } });
    expect(first.metadata).toEqual({ m: { type: "counter", help: "one", unit: "" }, g: { type: "gauge", help: "gauge", unit: "" } });
  });
});
