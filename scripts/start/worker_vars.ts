import { parseDevVars } from "./dev_vars.js";

/** The Worker vars `npm start` takes from its environment or `.dev.vars`: the
 * settings README's *Settings* table documents. TIER, SHARDS and the bindings stay
 * the launcher's own (each tier needs its own TIER). */
export function isWorkerVar(name: string): boolean {
  return /^(WRITE_TOKEN|READ_TOKEN|WEB_CONFIG|EXTERNAL_URL|MAX_BODY_BYTES|ENABLE_ADMIN_API|ENABLE_LIFECYCLE|LIMIT_[A-Z0-9_]+|STORAGE_[A-Z0-9_]+)$/.test(name);
}

export interface WorkerVars {
  vars: Record<string, string>;
  /** Where each var came from, for the start-up line (never the value: secrets). */
  sources: Record<string, "environment" | string>;
  /** Keys of the file that are not settings of a tier. */
  ignored: string[];
}

/** `.dev.vars` first, then the environment on top (a variable set for one run wins
 * over the file, as with dotenv). */
export function workerVars(env: NodeJS.ProcessEnv, devVarsText: string | undefined, devVarsName: string): WorkerVars {
  const out: WorkerVars = { vars: {}, sources: {}, ignored: [] };
  if (devVarsText !== undefined) {
    for (const [k, v] of parseDevVars(devVarsText, devVarsName)) {
      if (!isWorkerVar(k)) {
        out.ignored.push(k);
        continue;
      }
      out.vars[k] = v;
      out.sources[k] = devVarsName;
    }
  }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || !isWorkerVar(k)) continue;
    out.vars[k] = v;
    out.sources[k] = "environment";
  }
  return out;
}
