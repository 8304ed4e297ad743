/**
 * `npm run types`: writes worker-configuration.d.ts, the Env type, from wrangler.toml
 * with `wrangler types`. `--check` fails when the committed file is not what
 * wrangler.toml gives (the test run checks this first).
 *
 * Secrets are declared in src/workers/secrets.d.ts, not here: wrangler would take
 * them from the developer's .dev.vars, so `--env-file` points it at an empty file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { devNull } from "node:os";

const FILE = "worker-configuration.d.ts";
const check = process.argv.includes("--check");
const before = existsSync(FILE) ? readFileSync(FILE, "utf8") : "";
try {
  execFileSync(process.execPath, ["node_modules/wrangler/bin/wrangler.js", "types", FILE, "--include-runtime=false", "--strict-vars=false", `--env-file=${devNull}`], {
    stdio: ["ignore", "ignore", "inherit"],
  });
} catch (e) {
  writeFileSync(FILE, before);
  throw e;
}
const after = readFileSync(FILE, "utf8");
if (check && after !== before) {
  writeFileSync(FILE, before);
  console.error(`${FILE} is not what wrangler.toml gives: run \`npm run types\` and commit it`);
  process.exit(1);
}
if (!check) console.log(after === before ? `${FILE} is up to date` : `${FILE} written`);
