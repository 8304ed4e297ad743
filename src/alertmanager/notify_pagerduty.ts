// pagerduty_configs: Events API v2 (routing_key) or v1 (service_key), dedup key =
// sha256 of the group key, trigger while anything fires, resolve when all resolved.
import type { AmReceiver } from "./am_config.js";
import type { AmAlert } from "./alert.js";
import { authHeaders, groupTemplates, groupKeyHash, postJSON, truncate, type Integration } from "./integration.js";

type PagerdutyConf = AmReceiver["pagerduty"][number];

const V1_URL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json";

export const DEFAULT_PAGERDUTY_DETAILS: Record<string, string> = {
  firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
  resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
  num_firing: "{{ .Alerts.Firing | len }}",
  num_resolved: "{{ .Alerts.Resolved | len }}",
};

export function pagerdutyIntegration(c: PagerdutyConf, index: number): Integration {
  return {
    name: "pagerduty",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts: AmAlert[]) {
      const { td, render: t } = groupTemplates(ctx, alerts);
      const key = await groupKeyHash(ctx.groupKey);
      const resolve = td.status === "resolved";
      const details: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...DEFAULT_PAGERDUTY_DETAILS, ...(c.details ?? {}) })) details[k] = await t(v);
      const description = truncate(await t(c.description, '{{ template "pagerduty.default.description" .}}'), 1024);
      const client = await t(c.client, '{{ template "pagerduty.default.client" . }}');
      const clientURL = await t(c.client_url, '{{ template "pagerduty.default.clientURL" . }}');
      const headers = authHeaders(c.http_config);
      if ((c.service_key ?? "") !== "") {
        const msg = { service_key: c.service_key, incident_key: key, event_type: resolve ? "resolve" : "trigger", description, client, client_url: clientURL, details };
        // Alertmanager 0.25 posts v1 events to PagerDuty's fixed endpoint, whatever `url` says.
        await postJSON(ctx, V1_URL, msg, headers, "pagerduty");
        return;
      }
      const omit = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== "" && v !== undefined && !(Array.isArray(v) && v.length === 0)));
      const msg = {
        ...omit({ routing_key: c.routing_key, dedup_key: key }),
        event_action: resolve ? "resolve" : "trigger",
        payload: {
          summary: description,
          source: await t(c.source ?? c.client, '{{ template "pagerduty.default.client" . }}'),
          severity: await t(c.severity, "error"),
          ...omit({ class: await t(c.class), component: await t(c.component), group: await t(c.group) }),
          custom_details: details,
        },
        ...omit({
          client,
          client_url: clientURL,
          images: await Promise.all((c.images ?? []).map(async (i) => omit({ src: await t(i.src), alt: await t(i.alt), href: await t(i.href) }))),
          links: await Promise.all((c.links ?? []).map(async (l) => omit({ href: await t(l.href), text: await t(l.text) }))),
        }),
      };
      await postJSON(ctx, c.url!, msg, headers, "pagerduty");
    },
  };
}
