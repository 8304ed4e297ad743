import { labelsFromPairs, METRIC_NAME } from "../model/labels.js";
import { negotiateExposition, writeExposition, type MetricFamily } from "../textparse/index.js";
import type { Family } from "./registry.js";
import type { Registry } from "./registry.js";

/** GET /metrics: the registry in the format the Accept header asks for. */
export async function metricsHandler(req: Request, registry: Registry): Promise<Response> {
  const { format, contentType } = negotiateExposition(req.headers.get("accept"));
  const families = (await registry.gather()).map(toExposition);
  return new Response(writeExposition(families, format), { headers: { "content-type": contentType } });
}

function toExposition(f: Family): MetricFamily {
  return {
    name: f.name,
    type: f.type,
    help: f.help,
    samples: f.samples.map((s) => ({
      labels: labelsFromPairs([[METRIC_NAME, f.name + s.suffix], ...s.labels.map((l) => [l.name, l.value] as const)]),
      value: s.value,
    })),
  };
}
