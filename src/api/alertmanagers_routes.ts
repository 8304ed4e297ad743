import { Hono } from "hono";
import type { AlertmanagerDiscovery } from "../notifier/notifier.js";
import { success } from "./responses.js";
import { handle } from "./series_routes.js";

export interface AlertmanagersDeps {
  /** The notifier's Alertmanagers, e.g. from the RuleEvaluator over RPC
   * (Notifier.refreshAlertmanagers() then Notifier.alertmanagers()). */
  alertmanagers(): Promise<AlertmanagerDiscovery>;
}

/** GET /api/v1/alertmanagers, in Prometheus' shape: the URLs alerts are posted to,
 * and those relabelling dropped. */
export function alertmanagersRoutes(deps: AlertmanagersDeps): Hono {
  const app = new Hono();
  app.get("/alertmanagers", () =>
    handle(async () => {
      const d = await deps.alertmanagers();
      return success({
        activeAlertmanagers: d.activeAlertmanagers.map((a) => ({ url: a.url })),
        droppedAlertmanagers: d.droppedAlertmanagers.map((a) => ({ url: a.url })),
      });
    }),
  );
  return app;
}
