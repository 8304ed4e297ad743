// msteams_configs and msteamsv2_configs: Microsoft Teams, as Alertmanager 0.26+ sends
// to it. The first posts an Office 365 connector MessageCard, the second an Adaptive
// Card for a Power Automate workflow (Microsoft is retiring the connectors); both are
// coloured by the group's status.
import type { AmAlert } from "./alert.js";
import type { AmReceiver } from "./am_config.js";
import { authHeaders, groupTemplates, postJSON, type Integration } from "./integration.js";

type TeamsConf = AmReceiver["msteams"][number];
type TeamsV2Conf = AmReceiver["msteamsv2"][number];

const CARD_COLOR = { firing: "8C1A1A", resolved: "2DC72D" } as const;
// Adaptive Cards name colours by role, not by value.
const ADAPTIVE_COLOR = { firing: "Attention", resolved: "Good" } as const;

export function msteamsIntegration(c: TeamsConf, index: number): Integration {
  return {
    name: "msteams",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts: AmAlert[]) {
      const { td, render } = groupTemplates(ctx, alerts);
      const card = {
        "@context": "http://schema.org/extensions",
        type: "MessageCard",
        title: await render(c.title, '{{ template "msteams.default.title" . }}'),
        summary: await render(c.summary, '{{ template "msteams.default.summary" . }}'),
        text: await render(c.text, '{{ template "msteams.default.text" . }}'),
        themeColor: CARD_COLOR[td.status],
      };
      await postJSON(ctx, c.webhook_url!, card, authHeaders(c.http_config), "msteams");
    },
  };
}

export function msteamsV2Integration(c: TeamsV2Conf, index: number): Integration {
  return {
    name: "msteamsv2",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts: AmAlert[]) {
      const { td, render } = groupTemplates(ctx, alerts);
      const title = await render(c.title, '{{ template "msteamsv2.default.title" . }}');
      const text = await render(c.text, '{{ template "msteamsv2.default.text" . }}');
      const message = {
        type: "message",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            contentUrl: null,
            content: {
              $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
              type: "AdaptiveCard",
              version: "1.2",
              body: [
                { type: "TextBlock", text: title, weight: "Bolder", size: "Medium", wrap: true, style: "heading", color: ADAPTIVE_COLOR[td.status] },
                { type: "TextBlock", text, wrap: true },
              ],
              msteams: { width: "full" },
            },
          },
        ],
      };
      await postJSON(ctx, c.webhook_url!, message, authHeaders(c.http_config), "msteamsv2");
    },
  };
}
