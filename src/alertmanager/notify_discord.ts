// discord_configs: a webhook message with one embed, red while firing, green resolved.
import type { AmReceiver } from "./am_config.js";
import type { AmAlert } from "./alert.js";
import { templateDataValue } from "./am_template.js";
import { authHeaders, postJSON, truncate, type Integration } from "./integration.js";
import { templateData } from "./template_data.js";

type DiscordConf = AmReceiver["discord"][number];

const RED = 0x992d22;
const GREEN = 0x2ecc71;

export function discordIntegration(c: DiscordConf, index: number): Integration {
  return {
    name: "discord",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts: AmAlert[]) {
      const td = templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now);
      const data = templateDataValue(td);
      const title = truncate(await ctx.templates.text(c.title ?? '{{ template "discord.default.title" . }}', data), 256);
      const description = truncate(await ctx.templates.text(c.message ?? '{{ template "discord.default.message" . }}', data), 4096);
      const msg = { content: "", embeds: [{ title, description, color: td.status === "firing" ? RED : GREEN }] };
      await postJSON(ctx, c.webhook_url!, msg, authHeaders(c.http_config), "discord");
    },
  };
}
