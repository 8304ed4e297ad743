import type { TierEnv } from "../../src/workers/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends TierEnv {}
  }
}
