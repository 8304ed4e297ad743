import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";

/** The ConfigError parseConfig throws for `yaml` (fails the test if it parses). */
export function configError(yaml: string): ConfigError {
  try {
    parseConfig(yaml);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for:\n${yaml}`);
}

/** A one-job config with `body` (indented by the caller) inside the job. */
export function job(body: string, name = "x"): string {
  return `scrape_configs:\n  - job_name: ${name}\n${body}`;
}
