// webhook_configs: Alertmanager's webhook JSON, version 4, field for field.
import type { AmReceiver } from "./am_config.js";
import type { AmAlert } from "./alert.js";
import { authHeaders, postJSON, type Integration, type NotifyContext } from "./integration.js";
import { goTimeJSON, templateData } from "./template_data.js";

type WebhookConf = AmReceiver["webhook"][number];

export function webhookPayload(ctx: NotifyContext, alerts: AmAlert[], maxAlerts: number) {
  const kept = maxAlerts > 0 && alerts.length > maxAlerts ? alerts.slice(0, maxAlerts) : alerts;
  const d = templateData(ctx.receiver, ctx.groupLabels, kept, ctx.externalURL, ctx.now);
  // The group's status counts every alert, even those cut by max_alerts.
  const all = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
  return {
    receiver: d.receiver,
    status: all.status,
    alerts: d.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: goTimeJSON(a.startsAt),
      endsAt: goTimeJSON(a.endsAt),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: d.groupLabels,
    commonLabels: all.commonLabels,
    commonAnnotations: all.commonAnnotations,
    externalURL: d.externalURL,
    version: "4",
    groupKey: ctx.groupKey,
    truncatedAlerts: alerts.length - kept.length,
  };
}

export function webhookIntegration(c: WebhookConf, index: number): Integration {
  return {
    name: "webhook",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts) {
      await postJSON(ctx, c.url!, webhookPayload(ctx, alerts, c.max_alerts ?? 0), authHeaders(c.http_config), "webhook");
    },
  };
}
