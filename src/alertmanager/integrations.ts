// A receiver's integrations, in Alertmanager's order, each numbered within its kind.
import type { AmReceiver } from "./am_config.js";
import type { Integration } from "./integration.js";
import { discordIntegration } from "./notify_discord.js";
import { msteamsIntegration, msteamsV2Integration } from "./notify_msteams.js";
import { opsgenieIntegration } from "./notify_opsgenie.js";
import { pagerdutyIntegration } from "./notify_pagerduty.js";
import { slackIntegration } from "./notify_slack.js";
import { telegramIntegration } from "./notify_telegram.js";
import { webhookIntegration } from "./notify_webhook.js";

export function integrationsFor(r: AmReceiver): Integration[] {
  return [
    ...r.webhook.map(webhookIntegration),
    ...r.pagerduty.map(pagerdutyIntegration),
    ...r.opsgenie.map(opsgenieIntegration),
    ...r.slack.map(slackIntegration),
    ...r.telegram.map(telegramIntegration),
    ...r.discord.map(discordIntegration),
    ...r.msteams.map(msteamsIntegration),
    ...r.msteamsv2.map(msteamsV2Integration),
  ];
}
