import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The workspace's shared data (`../shared` beside the repository), found from the
 * repository root rather than an absolute path, so any checkout finds its own. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_DIR = resolve(REPO_ROOT, "../shared");

/** A directory under the shared data. Missing data fails the run in CI (CI set), so a
 * suite cannot pass by reading nothing; elsewhere the caller may skip with a notice. */
export function sharedPath(...parts: string[]): { path: string; present: boolean } {
  const path = resolve(SHARED_DIR, ...parts);
  const present = existsSync(path);
  if (!present && isCI()) throw new Error(`shared data missing in CI: ${path} (expected ../shared beside the repository)`);
  if (!present) console.warn(`shared data missing: ${path}; suites that read it are skipped (they fail when CI is set)`);
  return { path, present };
}

function isCI(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}
