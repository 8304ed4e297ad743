// discord_configs: a webhook message with one embed, red while firing, green resolved.
import type { AmReceiver } from "./am_config.js";
import type { AmAlert } from "./alert.js";
import { authHeaders, groupTemplates, postJSON, truncate, type Integration } from "./integration.js";

type DiscordConf = AmReceiver["discord"][number];

const RED = 0x992d22;
const GREEN = 0x2ecc71;

export function discordIntegration(c: DiscordConf, index: number): Integration {
  return {
    name: "discord",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts: AmAlert[]) {
      const { td, render } = groupTemplates(ctx, alerts);
      const title = truncate(await render(c.title, '{{ template "discord.default.title" . }}'), 256);
      const description = truncate(await render(c.message, '{{ template "discord.default.message" . }}'), 4096);
      const msg = { content: "", embeds: [{ title, description, color: td.status === "firing" ? RED : GREEN }] };
      await postJSON(ctx, c.webhook_url!, msg, authHeaders(c.http_config), "discord");
    },
  };
}
