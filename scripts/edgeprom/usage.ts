// The help texts of `npx edgeprom`: one per command, and the overview built from them.

/** Each command's synopsis and description, as `npx edgeprom <command> --help` prints them. */
export const COMMANDS = {
  "check config": {
    synopsis: "check config FILE...",
    text: `Check prometheus.yml files as \`promtool check config\` does (rule files they name
are checked too), plus warnings for what deployed Workers cannot do (https targets on
custom ports, ...). Exit 1 when a file is invalid.`,
  },
  "check rules": {
    synopsis: "check rules [--lint=duplicate-rules|all|none] [--lint-fatal] [--ignore-unknown-fields] [FILE...]",
    text: `Check rule files as \`promtool check rules\` does (standard input without FILE):
exit 1 on errors, 3 on lint problems with --lint-fatal.`,
  },
  "config push": {
    synopsis: "config push FILE [--region R] [--local | --env ENV] [--data DIR]",
    text: `Validate FILE and store it, with the rule files and file_sd files it names, in the
CONFIG KV namespace: as prometheus.yml (every region) or as regions/R/prometheus.yml
(--region R). --local (the default) writes to the state of \`npm start\` (DIR/kv; DIR
is .edgeprom in the repository, or EDGEPROM_DATA); --env ENV writes to a deployed
environment through wrangler (needs \`wrangler login\`). Tiers load it within a minute,
or at once on POST /-/reload.`,
  },
  "config show": {
    synopsis: "config show [--region R] [--local | --env ENV] [--data DIR] [--raw]",
    text: `Print the configuration a region loads (secrets shown as <secret>), or with --raw
the stored text.`,
  },
  "alertmanager push": {
    synopsis: "alertmanager push FILE [--region R] [--local | --env ENV] [--data DIR]",
    text: `Check alertmanager.yml as Alertmanager 0.25's \`amtool check-config\` does and store
it in the CONFIG KV namespace, where every tier's Alertmanager reads it: as
alertmanager.yml, or as regions/R/alertmanager.yml (--region R). Apply with
POST /alertmanager/-/reload (otherwise within a minute).`,
  },
  "rules push": {
    synopsis: "rules push FILE [--region R] [--local | --env ENV] [--data DIR]",
    text: `Validate a rule file and store it in the CONFIG KV namespace under the key
prometheus.yml's rule_files name it by: its path relative to the nearest directory
(from its own up to the current one) holding a prometheus.yml, else relative to the
current directory (examples/alerts.yml is stored as alerts.yml). With --region, warns
when that region's configuration does not name it. Apply with POST /-/reload
(otherwise within a minute).`,
  },
  "region add": {
    synopsis: "region add NAME --location HINT [--shards N] [--config FILE]",
    text: `Write the wrangler environment of a deployed region, [env.region-NAME], into
wrangler.toml (or FILE): its vars (TIER=NAME, SHARDS, LOCATION_HINT), Durable Object
bindings, CONFIG namespace and cron trigger. Run again to change it; an environment of
that name written by hand is left alone. HINT is a Cloudflare location hint (wnam,
enam, sam, weur, eeur, apac, apac-ne, apac-se, oc, afr, me). Then:
infra/deploy.sh region-NAME.`,
  },
} as const;

export type CommandName = keyof typeof COMMANDS;

export function commandUsage(name: CommandName): string {
  const c = COMMANDS[name];
  return `usage: npx edgeprom ${c.synopsis}\n\n${c.text}\n`;
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");

export const USAGE = `usage: npx edgeprom <command> [options]

${Object.values(COMMANDS)
  .map((c) => `  ${c.synopsis}\n${indent(c.text)}`)
  .join("\n")}

\`npx edgeprom <command> --help\` prints one command's text. The local federation
itself is \`npm start\` (\`npm start -- --help\`).
`;
