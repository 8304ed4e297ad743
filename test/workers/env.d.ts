import type { TierEnv } from "../../src/workers/env.js";

declare module "cloudflare:test" {
  interface ProvidedEnv extends TierEnv {}
}
