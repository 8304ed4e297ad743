import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { workerVars, type WorkerVars } from "./worker_vars.js";

export const START_USAGE = `usage: npm start -- [options]

Runs the local federation (the global tier and regions local-a and local-b) under
workerd, with state kept in the data directory.

  --data DIR            state directory (env EDGEPROM_DATA; default .edgeprom)
  --host HOST           address to listen on (env EDGEPROM_HOST; default 127.0.0.1)
  --global-port PORT    the global tier (env EDGEPROM_GLOBAL_PORT; default 9090)
  --region-a-port PORT  region local-a (env EDGEPROM_REGION_A_PORT; default 9091)
  --region-b-port PORT  region local-b (env EDGEPROM_REGION_B_PORT; default 9092)
  --dev-vars FILE       Worker vars in dotenv format, as wrangler's .dev.vars
                        (default .dev.vars, skipped when absent)
  --quiet               do not print the Workers' logs
  -h, --help            this text

Worker vars for every tier (WRITE_TOKEN, READ_TOKEN, WEB_CONFIG, EXTERNAL_URL,
MAX_BODY_BYTES, ENABLE_ADMIN_API, ENABLE_LIFECYCLE, LIMIT_*, STORAGE_*) come from
the dev vars file and from the environment, the environment winning.
`;

export interface StartOptions {
  dataDir: string;
  host: string;
  ports: { global: number; "local-a": number; "local-b": number };
  quiet: boolean;
  workerVars: WorkerVars;
}

export type ParsedStart = { kind: "run"; options: StartOptions } | { kind: "help"; text: string } | { kind: "error"; message: string };

function port(flag: string, value: string): number | string {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) return `--${flag}: not a port number: ${JSON.stringify(value)}`;
  return n;
}

/** `npm start`'s command line and environment, checked before anything starts. */
export function parseStartOptions(argv: string[], env: NodeJS.ProcessEnv, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): ParsedStart {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: "string", default: env.EDGEPROM_DATA ?? ".edgeprom" },
        host: { type: "string", default: env.EDGEPROM_HOST ?? "127.0.0.1" },
        "global-port": { type: "string", default: env.EDGEPROM_GLOBAL_PORT ?? "9090" },
        "region-a-port": { type: "string", default: env.EDGEPROM_REGION_A_PORT ?? "9091" },
        "region-b-port": { type: "string", default: env.EDGEPROM_REGION_B_PORT ?? "9092" },
        "dev-vars": { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    return { kind: "error", message: `${(e as Error).message}\nRun \`npm start -- --help\` for the options.` };
  }
  if (values.help) return { kind: "help", text: START_USAGE };
  const ports: number[] = [];
  for (const flag of ["global-port", "region-a-port", "region-b-port"] as const) {
    const p = port(flag, values[flag]!);
    if (typeof p === "string") return { kind: "error", message: p };
    ports.push(p);
  }
  if (new Set(ports).size !== ports.length) return { kind: "error", message: `the three tiers need three different ports, got ${ports.join(", ")}` };
  const devVarsName = values["dev-vars"] ?? ".dev.vars";
  let text: string | undefined;
  try {
    text = readFile(devVarsName);
  } catch (e) {
    // Only an explicitly named file must exist.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT" || values["dev-vars"] !== undefined) return { kind: "error", message: `--dev-vars: cannot read ${devVarsName}: ${(e as Error).message}` };
  }
  let vars: WorkerVars;
  try {
    vars = workerVars(env, text, devVarsName);
  } catch (e) {
    return { kind: "error", message: (e as Error).message };
  }
  return {
    kind: "run",
    options: {
      dataDir: values.data!,
      host: values.host!,
      ports: { global: ports[0]!, "local-a": ports[1]!, "local-b": ports[2]! },
      quiet: values.quiet!,
      workerVars: vars,
    },
  };
}
