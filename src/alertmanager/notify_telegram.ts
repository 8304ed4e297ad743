// telegram_configs: the Bot API's sendMessage to one chat.
import type { AmReceiver } from "./am_config.js";
import type { AmAlert } from "./alert.js";
import { templateDataValue } from "./am_template.js";
import { postJSON, truncate, type Integration } from "./integration.js";
import { templateData } from "./template_data.js";

type TelegramConf = AmReceiver["telegram"][number];

export function telegramIntegration(c: TelegramConf, index: number): Integration {
  return {
    name: "telegram",
    index,
    sendResolved: c.send_resolved ?? true,
    async notify(ctx, alerts: AmAlert[]) {
      const data = templateDataValue(templateData(ctx.receiver, ctx.groupLabels, alerts, ctx.externalURL, ctx.now));
      const text = truncate(await ctx.templates.text(c.message ?? '{{ template "telegram.default.message" . }}', data), 4096);
      // Alertmanager's Telegram client sends every parameter as a string, and always
      // without link previews.
      const msg: Record<string, string> = { chat_id: String(c.chat_id), text, parse_mode: c.parse_mode ?? "HTML", disable_web_page_preview: "true" };
      if (c.disable_notifications === true) msg["disable_notification"] = "true";
      await postJSON(ctx, `${c.api_url!.replace(/\/$/, "")}/bot${c.bot_token}/sendMessage`, msg, {}, "telegram");
    },
  };
}
