import { describe, expect, it } from "vitest";
import { alertmanagersRoutes } from "../../src/api/alertmanagers_routes.js";
import { parseConfig } from "../../src/config/load.js";
import { Notifier } from "../../src/notifier/notifier.js";

describe("GET /api/v1/alertmanagers", () => {
  it("answers Prometheus' shape from a notifier's discovered Alertmanagers", async () => {
    const n = new Notifier({ log: () => {} });
    await n.applyConfig(
      parseConfig(`
alerting:
  alertmanagers:
    - path_prefix: /am
      static_configs: [{targets: ["am1:9093", "am2:9093"]}]
      relabel_configs:
        - source_labels: [__address__]
          regex: am2.*
          action: drop
`),
    );
    const app = alertmanagersRoutes({ alertmanagers: async () => n.alertmanagers() });
    const res = await app.request("/alertmanagers");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({
      status: "success",
      data: { activeAlertmanagers: [{ url: "http://am1:9093/am/api/v2/alerts" }], droppedAlertmanagers: [{ url: "http://am2:9093/am/api/v2/alerts" }] },
    });
  });

  it("answers empty lists, not nulls, without Alertmanagers", async () => {
    const app = alertmanagersRoutes({ alertmanagers: async () => new Notifier().alertmanagers() });
    expect(await (await app.request("/alertmanagers")).json()).toEqual({ status: "success", data: { activeAlertmanagers: [], droppedAlertmanagers: [] } });
  });

  it("answers an internal error in Prometheus' envelope when the notifier cannot be reached", async () => {
    const app = alertmanagersRoutes({
      alertmanagers: async () => {
        throw new Error("rule evaluator unavailable");
      },
    });
    const res = await app.request("/alertmanagers");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ status: "error", errorType: "internal", error: "rule evaluator unavailable" });
  });
});
