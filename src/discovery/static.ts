import type { Discoverer } from "./discoverer.js";
import { targetGroupFromRaw, TargetGroupError, type TargetGroup } from "./target_group.js";
import { isValidLabelName } from "../model/labels.js";

export interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/** All `static_configs` of a scrape config, coalesced into one provider as Prometheus
 * does; group i has source "i". */
export class StaticDiscoverer implements Discoverer {
  readonly refreshIntervalMs = Infinity;
  private readonly groups: TargetGroup[];

  constructor(configs: readonly StaticConfig[]) {
    this.groups = configs.map((c, i) => {
      const labels = { ...(c.labels ?? {}) };
      for (const name of Object.keys(labels)) {
        if (!isValidLabelName(name)) throw new TargetGroupError(`${JSON.stringify(name)} is not a valid label name`);
      }
      return targetGroupFromRaw({ targets: [...c.targets], labels }, String(i));
    });
  }

  refresh(): Promise<TargetGroup[]> {
    return Promise.resolve(this.groups.slice());
  }
}
