/** One problem found in a configuration file: Prometheus' wording, where in the
 * file (dotted path from the document root) and on which line (1-based). */
export interface ConfigIssue {
  message: string;
  path: (string | number)[];
  line?: number;
}

/** A configuration file that cannot be loaded. `message` reads like Prometheus'
 * (`yaml: unmarshal errors:` with one `line N: ...` per problem, or a single
 * validation message), followed by the field path and line where known. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly issues: ConfigIssue[];

  constructor(message: string, issues: ConfigIssue[] = []) {
    super(message);
    this.issues = issues;
  }

  /** The first problem's line, if known. */
  get line(): number | undefined {
    return this.issues[0]?.line;
  }

  /** The first problem's field path, as `scrape_configs[0].scrape_timeout`. */
  get path(): string | undefined {
    const p = this.issues[0]?.path;
    return p === undefined || p.length === 0 ? undefined : formatPath(p);
  }
}

/** `["scrape_configs", 0, "scrape_timeout"]` -> `scrape_configs[0].scrape_timeout`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** `msg (at path, line N)` with whatever of the location is known. */
export function describeIssue(issue: ConfigIssue): string {
  const where: string[] = [];
  if (issue.path.length > 0) where.push(`at ${formatPath(issue.path)}`);
  if (issue.line !== undefined) where.push(`line ${issue.line}`);
  return where.length === 0 ? issue.message : `${issue.message} (${where.join(", ")})`;
}
