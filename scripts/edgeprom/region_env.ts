// `npx edgeprom region add`: a deployed region is a wrangler environment
// ([env.region-<name>]) with everything an environment does not inherit from the top
// level written out: vars, Durable Object bindings, the CONFIG namespace and the cron.

/** Durable Objects location hints, as Cloudflare documents them and
 * @cloudflare/workers-types' DurableObjectLocationHint lists them
 * (test/start/region_env.test.ts keeps the two the same). */
export const LOCATION_HINTS: Record<string, string> = {
  wnam: "Western North America",
  enam: "Eastern North America",
  sam: "South America",
  weur: "Western Europe",
  eeur: "Eastern Europe",
  apac: "Asia-Pacific",
  "apac-ne": "Northeast Asia-Pacific",
  "apac-se": "Southeast Asia-Pacific",
  oc: "Oceania",
  afr: "Africa",
  me: "Middle East",
};

/** The Durable Object classes every tier binds (the same list as wrangler.toml's top level). */
const DURABLE_OBJECTS: [binding: string, className: string][] = [
  ["SERIES", "SeriesStore"],
  ["SCHEDULER", "ScrapeScheduler"],
  ["REMOTE_WRITE", "RemoteWriteQueue"],
  ["PUSHGATEWAY", "PushGateway"],
  ["RULES", "RuleEvaluator"],
  ["ALERTMANAGER", "Alertmanager"],
];

export interface RegionSpec {
  /** The region's name: TIER, `--region NAME`, `regions/NAME/prometheus.yml`. */
  name: string;
  location: string;
  shards: number;
}

export type RegionChange = { kind: "added" | "updated" | "unchanged"; text: string; env: string; warnings: string[] } | { kind: "error"; message: string };

// Worker names are at most 63 characters of lowercase letters, digits and dashes;
// "edgeprom-region-" takes 16 of them.
const NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,45}[a-z0-9])?$/;
const PLACEHOLDER_ID = /^0+$/;

export function envName(region: string): string {
  return `region-${region}`;
}

const begin = (region: string) => `# >>> region ${region}: written by \`npx edgeprom region add\`; run it again to change this block`;
const end = (region: string) => `# <<< region ${region}`;

/** The top-level CONFIG namespace id, which every environment must repeat. */
function configNamespaceId(toml: string): string | undefined {
  const topLevel = toml.split(/^\[env\./m)[0]!;
  for (const block of topLevel.split(/^\[\[kv_namespaces\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0]!;
    if (!/^\s*binding\s*=\s*"CONFIG"\s*$/m.test(body)) continue;
    return /^\s*id\s*=\s*"([^"]*)"\s*$/m.exec(body)?.[1];
  }
  return undefined;
}

export function regionBlock(spec: RegionSpec, kvId: string): string {
  const env = envName(spec.name);
  const dos = DURABLE_OBJECTS.map(([name, cls]) => `{ name = "${name}", class_name = "${cls}" }`).join(", ");
  return [
    begin(spec.name),
    `[env.${env}]`,
    `name = "edgeprom-${env}"`,
    `vars = { TIER = "${spec.name}", SHARDS = "${spec.shards}", LOCATION_HINT = "${spec.location}" }`,
    `durable_objects.bindings = [${dos}]`,
    `kv_namespaces = [{ binding = "CONFIG", id = "${kvId}" }]`,
    `triggers = { crons = ["* * * * *"] }`,
    end(spec.name),
  ].join("\n");
}

/** wrangler.toml with the region's environment added, or replaced when this command
 * wrote it before; an environment of that name written by hand is left alone. */
export function upsertRegion(toml: string, spec: RegionSpec): RegionChange {
  if (!NAME_RE.test(spec.name)) {
    return { kind: "error", message: `invalid region name "${spec.name}": use lowercase letters, digits and "-" (at most 47), as Worker names allow` };
  }
  if (!(spec.location in LOCATION_HINTS)) {
    const list = Object.entries(LOCATION_HINTS).map(([k, v]) => `  ${k.padEnd(8)} ${v}`).join("\n");
    return { kind: "error", message: `unknown location hint "${spec.location}"; Cloudflare's are:\n${list}` };
  }
  if (!Number.isInteger(spec.shards) || spec.shards < 1 || spec.shards > 256) {
    return { kind: "error", message: `--shards: a whole number from 1 to 256, got ${spec.shards}` };
  }
  const env = envName(spec.name);
  const kvId = configNamespaceId(toml);
  if (kvId === undefined) return { kind: "error", message: 'wrangler.toml has no top-level [[kv_namespaces]] with binding = "CONFIG" to copy the namespace id from' };
  const warnings = PLACEHOLDER_ID.test(kvId) ? ["the CONFIG namespace id is still the placeholder: run infra/create-config-namespace.sh, put its id into wrangler.toml's top-level [[kv_namespaces]], and run this again"] : [];
  const block = regionBlock(spec, kvId);
  const from = toml.indexOf(`${begin(spec.name)}\n`);
  if (from >= 0) {
    const endLine = `${end(spec.name)}`;
    const to = toml.indexOf(endLine, from);
    if (to < 0) return { kind: "error", message: `the block for region ${spec.name} in wrangler.toml has lost its closing line "${endLine}"` };
    const old = toml.slice(from, to + endLine.length);
    if (old === block) return { kind: "unchanged", text: toml, env, warnings };
    return { kind: "updated", text: toml.slice(0, from) + block + toml.slice(to + endLine.length), env, warnings };
  }
  const escaped = env.replace(/[-]/g, "\\-");
  if (new RegExp(`^\\s*\\[\\[?\\s*env\\.(?:"${escaped}"|${escaped})[\\].]`, "m").test(toml)) {
    return { kind: "error", message: `wrangler.toml already has an [env.${env}] written by hand; edit it there, or remove it and run this again` };
  }
  return { kind: "added", text: `${toml.replace(/\n*$/, "")}\n\n${block}\n`, env, warnings };
}
