import { Regex } from "../model/regex.js";
import { errorMessage, PartialRefreshError, type Discoverer, type ListFn, type ReadFn } from "./discoverer.js";
import { parseTargetGroupsJSON, parseTargetGroupsYAML, targetGroupFromRaw, type TargetGroup } from "./target_group.js";

export const FILEPATH_LABEL = "__meta_filepath";
export const FILE_SD_DEFAULT_REFRESH_MS = 5 * 60_000;

/** `file_sd_configs` entry. The "files" are keys of the CONFIG KV namespace. */
export interface FileSDConfig {
  readonly files: readonly string[];
  /** ms; default 5m. */
  readonly refreshInterval?: number;
}

export interface FileSDIO {
  readonly read: ReadFn;
  readonly list: ListFn;
}

/** Prometheus accepts a `*` only in the last path element, and requires the
 * .json/.yml/.yaml extension. */
const PAT_FILE_SD_NAME = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

export class FileSDConfigError extends Error {}

export function validateFileSDConfig(cfg: FileSDConfig): void {
  if (cfg.files.length === 0) throw new FileSDConfigError("file service discovery config must contain at least one path name");
  for (const name of cfg.files) {
    if (!PAT_FILE_SD_NAME.test(name)) throw new FileSDConfigError(`path name ${JSON.stringify(name)} is not valid for file discovery`);
  }
}

function hasMeta(p: string): boolean {
  return /[*?[\\]/.test(p);
}

/** An RE2 escape that means `c` itself, inside or outside a class. */
function reEscape(c: string): string {
  return `\\x{${c.codePointAt(0)!.toString(16)}}`;
}

/** Compiles a Go filepath.Match pattern ("/" the separator): `*` and `?` never match
 * "/", `[...]`/`[^...]` classes with ranges, `\` escapes. Throws on a malformed
 * pattern ("syntax error in pattern", as Go's ErrBadPattern). */
export function globToRegExp(pattern: string): Regex {
  const bad = (): never => {
    throw new FileSDConfigError("syntax error in pattern");
  };
  let re = "";
  let i = 0;
  const n = pattern.length;
  const classChar = (): string => {
    let c = pattern[i];
    if (c === undefined || c === "-" || c === "]") bad();
    if (c === "\\") {
      i++;
      c = pattern[i];
      if (c === undefined) bad();
    }
    i++;
    return c!;
  };
  while (i < n) {
    const c = pattern[i]!;
    if (c === "*") {
      re += "[^/]*";
      i++;
    } else if (c === "?") {
      re += "[^/]";
      i++;
    } else if (c === "\\") {
      if (i + 1 >= n) bad();
      re += reEscape(pattern[i + 1]!);
      i += 2;
    } else if (c === "[") {
      i++;
      let negate = false;
      if (pattern[i] === "^") {
        negate = true;
        i++;
      }
      const ranges: [string, string][] = [];
      let first = true;
      for (;;) {
        if (i >= n) bad();
        if (pattern[i] === "]" && !first) {
          i++;
          break;
        }
        const lo = classChar();
        let hi = lo;
        if (pattern[i] === "-") {
          i++;
          hi = classChar();
          if (hi < lo) bad();
        }
        // A class never matches the separator (no intersection in RE2: cut "/" out).
        if (negate || lo > "/" || hi < "/") ranges.push([lo, hi]);
        else {
          if (lo < "/") ranges.push([lo, "."]);
          if (hi > "/") ranges.push(["0", hi]);
        }
        first = false;
      }
      const cls = ranges.map(([lo, hi]) => (lo === hi ? reEscape(lo) : `${reEscape(lo)}-${reEscape(hi)}`)).join("");
      if (negate) re += `[^${cls}${reEscape("/")}]`;
      else re += cls === "" ? `[^\\x{0}-\\x{10ffff}]` : `[${cls}]`;
    } else {
      re += reEscape(c);
      i++;
    }
  }
  return Regex.anchored(re);
}

function literalPrefix(p: string): string {
  const m = /[*?[\\]/.exec(p);
  return m === null ? p : p.slice(0, m.index);
}

function extension(path: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  return dot > slash ? path.slice(dot).toLowerCase() : "";
}

/** file_sd over KV: each refresh re-lists the patterns and re-reads every file. A
 * file that cannot be read or parsed keeps its last good groups (Prometheus logs and
 * keeps them too); a file that no longer exists loses them. Group i of file f has
 * source "f:i" and every group carries __meta_filepath. */
export class FileDiscoverer implements Discoverer {
  readonly refreshIntervalMs: number;
  private last = new Map<string, TargetGroup[]>();
  private readonly patterns: { pattern: string; re: Regex | null; prefix: string }[];

  constructor(
    private readonly cfg: FileSDConfig,
    private readonly io: FileSDIO,
  ) {
    validateFileSDConfig(cfg);
    this.refreshIntervalMs = cfg.refreshInterval ?? FILE_SD_DEFAULT_REFRESH_MS;
    this.patterns = cfg.files.map((pattern) => {
      if (!hasMeta(pattern)) return { pattern, re: null, prefix: pattern };
      return { pattern, re: globToRegExp(pattern), prefix: literalPrefix(pattern) };
    });
  }

  seed(groups: readonly TargetGroup[]): void {
    const byFile = new Map<string, TargetGroup[]>();
    for (const g of groups) {
      const file = g.source.slice(0, g.source.lastIndexOf(":"));
      const list = byFile.get(file) ?? [];
      list.push(g);
      byFile.set(file, list);
    }
    this.last = byFile;
  }

  async refresh(): Promise<TargetGroup[]> {
    const errors: string[] = [];
    const files: { path: string; literal: boolean }[] = [];
    const keep = new Set<string>();
    const seen = new Set<string>();
    const add = (path: string, literal: boolean): void => {
      if (seen.has(path)) return;
      seen.add(path);
      files.push({ path, literal });
    };
    const listed = await Promise.all(
      this.patterns.map(async (p) => {
        if (p.re === null) return { p, keys: null as string[] | null, error: null as string | null };
        try {
          return { p, keys: await this.io.list(p.prefix), error: null };
        } catch (e) {
          return { p, keys: null, error: errorMessage(e) };
        }
      }),
    );
    for (const { p, keys, error } of listed) {
      if (p.re === null) {
        add(p.pattern, true);
      } else if (error !== null) {
        errors.push(`error listing ${JSON.stringify(p.pattern)}: ${error}`);
        for (const f of this.last.keys()) if (p.re.test(f)) keep.add(f);
      } else {
        for (const k of keys!.filter((k) => p.re!.test(k)).sort()) add(k, false);
      }
    }

    const read = await Promise.all(
      files.map(async ({ path, literal }) => {
        try {
          const text = await this.io.read(path);
          if (text === null) {
            if (literal) return { path, groups: null, error: null };
            throw new Error(`open ${path}: no such file or directory`);
          }
          return { path, groups: this.parse(path, text), error: null };
        } catch (e) {
          return { path, groups: null, error: errorMessage(e) };
        }
      }),
    );

    const next = new Map<string, TargetGroup[]>();
    for (const { path, groups, error } of read) {
      if (error !== null) {
        errors.push(`error reading file ${JSON.stringify(path)}: ${error}`);
        const prev = this.last.get(path);
        if (prev !== undefined) next.set(path, prev);
      } else if (groups !== null) {
        next.set(path, groups);
      }
    }
    for (const f of keep) {
      const prev = this.last.get(f);
      if (prev !== undefined && !next.has(f)) next.set(f, prev);
    }
    this.last = next;
    const out: TargetGroup[] = [];
    for (const gs of next.values()) out.push(...gs);
    if (errors.length > 0) throw new PartialRefreshError(errors.join("; "), out);
    return out;
  }

  private parse(path: string, text: string): TargetGroup[] {
    const ext = extension(path);
    let raw;
    if (ext === ".json") raw = parseTargetGroupsJSON(text);
    else if (ext === ".yml" || ext === ".yaml") raw = parseTargetGroupsYAML(text);
    else throw new Error(`unhandled file extension ${JSON.stringify(ext)}`);
    return raw.map((g, i) => targetGroupFromRaw(g, `${path}:${i}`, { [FILEPATH_LABEL]: path }));
  }
}
