/** Runs promqltest scripts (`*.test`) against edgeprom's PromQL engine.
 *
 *   npm run promqltest -- [--max-failures N] [--json OUT.json] [--show-skipped] FILE[:LINE,...]|DIR ...
 *
 * Prints one summary line per file and its failures (file:line, expression, what was
 * expected and what came), progress on stderr, and as its last line the totals
 * `N passed, N failed, N skipped`. Exits 1 when anything failed. `FILE:LINE` runs
 * only the evals on those lines (loads and clears before them still run). */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createTestEngine, testHooks } from "../src/promql/promqltest/engine_adapter.js";
import { runScript, type Outcome } from "../src/promql/promqltest/runner.js";
import { parseScript } from "../src/promql/promqltest/script.js";

interface Args {
  targets: { file: string; lines?: Set<number> }[];
  maxFailures: number;
  json: string | null;
  showSkipped: boolean;
}

const USAGE = "usage: npm run promqltest -- [--max-failures N] [--json OUT.json] [--show-skipped] FILE[:LINE,...]|DIR ...";

function parseArgs(argv: string[]): Args {
  const args: Args = { targets: [], maxFailures: 20, json: null, showSkipped: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "-h" || a === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith("--max-failures")) {
      args.maxFailures = Number(value());
      if (!Number.isInteger(args.maxFailures) || args.maxFailures < 0) throw new Error(`--max-failures needs a whole number\n${USAGE}`);
    } else if (a.startsWith("--json")) {
      args.json = value();
    } else if (a === "--show-skipped") {
      args.showSkipped = true;
    } else if (a.startsWith("-")) {
      throw new Error(`unknown option ${a}\n${USAGE}`);
    } else {
      const m = /^(.*?):(\d+(?:,\d+)*)$/.exec(a);
      const path = m ? m[1]! : a;
      const lines = m ? new Set(m[2]!.split(",").map(Number)) : undefined;
      if (statSync(path).isDirectory()) {
        for (const f of readdirSync(path).filter((n) => n.endsWith(".test")).sort()) args.targets.push({ file: join(path, f) });
      } else {
        args.targets.push(lines === undefined ? { file: path } : { file: path, lines });
      }
    }
  }
  if (args.targets.length === 0) throw new Error(USAGE);
  return args;
}

const MAX_MESSAGE = 600;

function clip(s: string): string {
  return s.length > MAX_MESSAGE ? s.slice(0, MAX_MESSAGE) + "…" : s;
}

function describe(file: string, o: Outcome): string {
  const head = o.kind === "eval" ? `${file}:${o.line}: ${o.expr}` : `${file}:${o.line}: (${o.kind})`;
  return `  ${head}\n      ${clip(o.message ?? "")}`;
}

interface FileSummary {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
  failures: { line: number; kind: string; expr: string; message: string }[];
  skips: { line: number; expr: string; reason: string }[];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const engine = createTestEngine();
  const tty = process.stderr.isTTY === true;
  const summaries: FileSummary[] = [];
  const totals = { passed: 0, failed: 0, skipped: 0 };

  for (const [idx, target] of args.targets.entries()) {
    const { file } = target;
    const label = `[${idx + 1}/${args.targets.length}] ${file}`;
    const script = parseScript(readFileSync(file, "utf8"));
    const evals = script.commands.filter((c) => c.kind === "eval" && (target.lines === undefined || target.lines.has(c.line))).length;
    let done = 0;
    if (!tty) process.stderr.write(`${label} (${evals} evals)\n`);
    const t0 = performance.now();
    const summary: FileSummary = { file, passed: 0, failed: 0, skipped: 0, ms: 0, failures: [], skips: [] };
    try {
      const res = await runScript(script, engine, {
        hooks: testHooks,
        ...(target.lines === undefined ? {} : { onlyLines: target.lines }),
        onOutcome: (o) => {
          if (o.kind === "eval") done++;
          if (tty && (done % 10 === 0 || done === evals)) process.stderr.write(`\r${label} ${done}/${evals}`);
        },
      });
      summary.passed = res.passed;
      summary.failed = res.failed;
      summary.skipped = res.skipped;
      for (const o of res.outcomes) {
        if (o.status === "failed") summary.failures.push({ line: o.line, kind: o.kind, expr: o.expr, message: o.message ?? "" });
        if (o.status === "skipped") summary.skips.push({ line: o.line, expr: o.expr, reason: o.message ?? "" });
      }
    } catch (e) {
      summary.failed++;
      summary.failures.push({ line: 0, kind: "script", expr: "", message: `runner crashed: ${(e as Error).stack ?? String(e)}` });
    }
    summary.ms = Math.round(performance.now() - t0);
    if (tty) process.stderr.write("\r\x1b[K");
    summaries.push(summary);
    totals.passed += summary.passed;
    totals.failed += summary.failed;
    totals.skipped += summary.skipped;

    console.log(`${file}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (${(summary.ms / 1000).toFixed(1)}s)`);
    for (const f of summary.failures.slice(0, args.maxFailures)) {
      console.log(describe(file, { line: f.line, kind: f.kind as Outcome["kind"], expr: f.expr, status: "failed", message: f.message }));
    }
    if (summary.failures.length > args.maxFailures) {
      console.log(`  ... ${summary.failures.length - args.maxFailures} more failures (--max-failures ${args.maxFailures})`);
    }
    if (args.showSkipped) for (const s of summary.skips) console.log(`  skipped ${file}:${s.line}: ${s.expr}  (${s.reason})`);
  }

  if (args.json !== null) {
    writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), totals, files: summaries }, null, 2) + "\n");
  }
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exitCode = totals.failed > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 2;
});
