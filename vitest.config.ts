import { defineConfig } from "vitest/config";

// Pure modules (model, textparse, chunkenc, remote codecs) are runtime-agnostic and
// run in Node; anything that needs Durable Objects runs in workerd (vitest.workers.ts);
// end-to-end tests against real Prometheus and a running federation live in test/e2e.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/workers/**", "node_modules/**"],
          environment: "node",
        },
      },
    ],
  },
});
