import { formatFloat } from "../model/sample.js";
import { escapeLabelValue } from "../model/labels.js";
import type { Registry } from "./registry.js";

// TEMP until textparse writer lands
export async function metricsHandler(_req: Request, registry: Registry): Promise<Response> {
  let out = "";
  for (const f of await registry.gather()) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const ls = s.labels.map((l) => `${l.name}="${escapeLabelValue(l.value)}"`).join(",");
      out += `${f.name}${s.suffix}${ls ? `{${ls}}` : ""} ${formatFloat(s.value)}\n`;
    }
  }
  return new Response(out, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
}
