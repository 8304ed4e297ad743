import type { DtoFamily, DtoType } from "../textparse/dto.js";
import { newDtoMetric } from "../textparse/dto.js";
import type { OwnFamilies } from "./metric_store.js";

const BUILD_INFO = "pushgateway_build_info";
const REQUESTS = "pushgateway_http_requests_total";

/** The gateway's own families: their names and types are reserved for pushes, and
 * their help strings are the standard ones, as in the real gateway. */
export const OWN_FAMILIES: OwnFamilies = new Map<string, { type: DtoType; help: string }>([
  [BUILD_INFO, { type: "GAUGE", help: "A metric with a constant '1' value labeled by version, revision, branch, and goversion from which pushgateway was built." }],
  [REQUESTS, { type: "COUNTER", help: "Total HTTP requests processed by the Pushgateway, excluding scrapes." }],
]);

/** Request counters of one Durable Object instance (they restart at zero with it,
 * like a process's counters). */
export class OwnMetrics {
  private readonly requests = new Map<string, { code: string; handler: string; method: string; n: number }>();
  /** Counts calls of count(), each a change of families(). */
  changes = 0;

  constructor(private readonly version: string) {}

  count(handler: string, method: string, code: number): void {
    this.changes++;
    const key = `${handler}\xff${method}\xff${code}`;
    const r = this.requests.get(key);
    if (r !== undefined) r.n++;
    else this.requests.set(key, { code: String(code), handler, method: method.toLowerCase(), n: 1 });
  }

  families(): DtoFamily[] {
    const info = newDtoMetric(
      [
        { name: "branch", value: "" },
        { name: "goversion", value: "" },
        { name: "revision", value: "" },
        { name: "version", value: this.version },
      ],
      "gauge",
    );
    info.value = 1;
    const out: DtoFamily[] = [{ name: BUILD_INFO, help: OWN_FAMILIES.get(BUILD_INFO)!.help, type: "GAUGE", metrics: [info] }];
    const reqs: DtoFamily = { name: REQUESTS, help: OWN_FAMILIES.get(REQUESTS)!.help, type: "COUNTER", metrics: [] };
    for (const r of this.requests.values()) {
      const m = newDtoMetric(
        [
          { name: "code", value: r.code },
          { name: "handler", value: r.handler },
          { name: "method", value: r.method },
        ],
        "counter",
      );
      m.value = r.n;
      reqs.metrics.push(m);
    }
    out.push(reqs);
    return out;
  }
}
