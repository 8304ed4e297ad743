// opsgenie_configs: Alert API v2; create while firing (alias = sha256 of the group
// key), close by alias once everything resolved.
import type { AmReceiver } from "./am_config.js";
import type { AmAlert } from "./alert.js";
import { authHeaders, groupTemplates, groupKeyHash, postJSON, truncate, type Integration } from "./integration.js";

type OpsgenieConf = AmReceiver["opsgenie"][number];

export function opsgenieIntegration(c: OpsgenieConf, index: number): Integration {
  return {
    name: "opsgenie",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts: AmAlert[]) {
      const { td, render: t } = groupTemplates(ctx, alerts);
      const alias = await groupKeyHash(ctx.groupKey);
      const headers = { ...authHeaders(c.http_config), authorization: `GenieKey ${c.api_key ?? ""}` };
      const source = await t(c.source, '{{ template "opsgenie.default.source" . }}');
      if (td.status === "resolved") {
        await postJSON(ctx, `${c.api_url}v2/alerts/${alias}/close?identifierType=alias`, { source }, headers, "opsgenie");
        return;
      }
      // The group's common labels, then the configured details over them.
      const details: Record<string, string> = { ...td.commonLabels };
      for (const [k, v] of Object.entries(c.details ?? {})) details[k] = await t(v);
      // Split on commas and kept as written, spaces included, as Alertmanager sends them.
      const list = (s: string) => (s === "" ? [] : s.split(","));
      const tags = list(await t(c.tags));
      const actions = list(await t(c.actions));
      const responders = await Promise.all(
        (c.responders ?? []).map(async (r) => {
          const type = await t(r.type);
          const o: Record<string, string> = { type };
          for (const k of ["id", "name", "username"] as const) if ((r[k] ?? "") !== "") o[k] = await t(r[k]);
          return o;
        }),
      );
      const omit = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== "" && v !== undefined && !(Array.isArray(v) && v.length === 0)));
      const msg = {
        alias,
        message: truncate(await t(c.message, '{{ template "opsgenie.default.message" . }}'), 130),
        ...omit({ description: await t(c.description, '{{ template "opsgenie.default.description" . }}') }),
        details,
        source,
        ...omit({ responders, tags, note: await t(c.note), priority: await t(c.priority), entity: await t(c.entity), actions }),
      };
      await postJSON(ctx, `${c.api_url}v2/alerts`, msg, headers, "opsgenie");
    },
  };
}
