// slack_configs: an incoming-webhook message with one attachment, fields and actions
// templated, defaults from Alertmanager's slack.default.* templates.
import type { AmReceiver } from "./am_config.js";
import type { AmAlert } from "./alert.js";
import { authHeaders, groupTemplates, postJSON, truncate, type Integration, type NotifyContext } from "./integration.js";

type SlackConf = AmReceiver["slack"][number];

const D = {
  username: '{{ template "slack.default.username" . }}',
  color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
  title: '{{ template "slack.default.title" . }}',
  title_link: '{{ template "slack.default.titlelink" . }}',
  pretext: '{{ template "slack.default.pretext" . }}',
  text: '{{ template "slack.default.text" . }}',
  fallback: '{{ template "slack.default.fallback" . }}',
  callback_id: '{{ template "slack.default.callbackid" . }}',
  icon_emoji: '{{ template "slack.default.iconemoji" . }}',
  icon_url: '{{ template "slack.default.iconurl" . }}',
  footer: '{{ template "slack.default.footer" . }}',
};

export async function slackPayload(c: SlackConf, ctx: NotifyContext, alerts: AmAlert[]) {
  const { render: t } = groupTemplates(ctx, alerts);
  const omit = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== "" && v !== undefined && !(Array.isArray(v) && v.length === 0)));
  const attachment = {
    ...omit({ title: truncate(await t(c.title, D.title), 1024), title_link: await t(c.title_link, D.title_link), pretext: await t(c.pretext, D.pretext) }),
    text: await t(c.text, D.text),
    fallback: await t(c.fallback, D.fallback),
    callback_id: await t(c.callback_id, D.callback_id),
    ...omit({
      fields: await Promise.all(
        (c.fields ?? []).map(async (f) => ({ title: await t(f.title), value: await t(f.value), short: f.short ?? c.short_fields ?? false })),
      ),
      actions: await Promise.all(
        (c.actions ?? []).map(async (a) =>
          omit({ type: await t(a.type), text: await t(a.text), url: await t(a.url), style: await t(a.style), name: await t(a.name), value: await t(a.value), confirm: a.confirm }),
        ),
      ),
      image_url: await t(c.image_url),
      thumb_url: await t(c.thumb_url),
    }),
    footer: await t(c.footer, D.footer),
    ...omit({ color: await t(c.color, D.color), mrkdwn_in: c.mrkdwn_in ?? ["fallback", "pretext", "text"] }),
  };
  return {
    ...omit({
      channel: await t(c.channel),
      username: await t(c.username, D.username),
      icon_emoji: await t(c.icon_emoji, D.icon_emoji),
      icon_url: await t(c.icon_url, D.icon_url),
      link_names: c.link_names === true ? true : undefined,
    }),
    attachments: [attachment],
  };
}

export function slackIntegration(c: SlackConf, index: number): Integration {
  return {
    name: "slack",
    index,
    sendResolved: c.send_resolved ?? false,
    async notify(ctx, alerts) {
      await postJSON(ctx, c.api_url!, await slackPayload(c, ctx, alerts), authHeaders(c.http_config), "slack");
    },
  };
}
