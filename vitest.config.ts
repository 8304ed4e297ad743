import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/** drizzle-kit's migrations import .sql files; wrangler bundles them as Text, and
 * this does the same for tests running in workerd. */
function sqlAsText(): Plugin {
  return {
    name: "sql-as-text",
    async load(id) {
      if (!id.endsWith(".sql")) return null;
      return `export default ${JSON.stringify(await readFile(id, "utf8"))};`;
    },
  };
}

/** The Worker imports the web UI as a generated module (scripts/build_ui.ts); wrangler
 * builds it before bundling, and this builds it before the workers tests load the Worker. */
function uiBundle(): Plugin {
  return {
    name: "ui-bundle",
    async buildStart() {
      await promisify(execFile)(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/build_ui.ts", "--quiet"]);
    },
  };
}

// Pure modules (model, textparse, chunkenc, remote codecs, promql parsing) run in
// Node; tests named *.workers.test.ts need Durable Objects and run in workerd; tests that
// start real peers (Prometheus, node_exporter) and the local federation live in
// test/e2e.
// Every test must assert something: a loop over data that turned out empty, or an
// assertion in a callback that never ran, fails instead of passing silently.
const expect = { requireAssertions: true };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          expect,
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/**/*.workers.test.ts", "node_modules/**"],
          environment: "node",
          // Property tests run thousands of cases; a busy 2-core machine needs headroom.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          sqlAsText(),
          uiBundle(),
          cloudflareTest({
            main: "./src/workers/region.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { TIER: "test", SHARDS: "2", ENABLE_ADMIN_API: "true", ENABLE_LIFECYCLE: "true" }, kvNamespaces: ["CONFIG"] },
          }),
        ],
        test: {
          name: "workers",
          expect,
          include: ["test/**/*.workers.test.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          expect,
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
