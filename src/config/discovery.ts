// Service discovery sections: static_configs, file_sd_configs, http_sd_configs,
// dns_sd_configs, and the other Prometheus mechanisms, which edgeprom refuses.
import { z } from "zod";
import { labelSet } from "./names.js";
import { duration, int, list, notNull, obj, str, valueIssue } from "./scalars.js";
import { httpClientShape, resolveHttpClient } from "./http_client.js";
import type { DNSRecordType, DNSSDConfig, FileSDConfig, HTTPSDConfig, ServiceDiscoveryConfigs, StaticConfig } from "./types.js";

export const SD_DEFAULTS = { fileRefresh: 5 * 60_000, httpRefresh: 60_000, dnsRefresh: 30_000 } as const;

/** Prometheus' other service discovery mechanisms: they need cloud APIs or
 * sockets a Worker does not have. */
export const UNSUPPORTED_SD = [
  "azure_sd_configs",
  "consul_sd_configs",
  "digitalocean_sd_configs",
  "docker_sd_configs",
  "dockerswarm_sd_configs",
  "ec2_sd_configs",
  "eureka_sd_configs",
  "gce_sd_configs",
  "hetzner_sd_configs",
  "ionos_sd_configs",
  "kubernetes_sd_configs",
  "kuma_sd_configs",
  "lightsail_sd_configs",
  "linode_sd_configs",
  "marathon_sd_configs",
  "nerve_sd_configs",
  "nomad_sd_configs",
  "openstack_sd_configs",
  "ovhcloud_sd_configs",
  "puppetdb_sd_configs",
  "scaleway_sd_configs",
  "serverset_sd_configs",
  "stackit_sd_configs",
  "triton_sd_configs",
  "uyuni_sd_configs",
  "vultr_sd_configs",
] as const;

const FILE_SD_PATH = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

export const staticConfigSchema = obj("targetgroup.Group", {
  targets: list(str(), "[]string").optional(),
  labels: labelSet().optional(),
}).transform((raw): StaticConfig => ({ targets: raw.targets ?? [], labels: raw.labels ?? {} }));

export const fileSDSchema = obj("file.SDConfig", {
  files: list(str(), "[]string").optional(),
  refresh_interval: duration().optional(),
}).transform((raw, ctx): FileSDConfig => {
  const files = raw.files ?? [];
  if (files.length === 0) {
    valueIssue(ctx, "file service discovery config must contain at least one path name");
    return z.NEVER;
  }
  for (const [i, f] of files.entries()) {
    if (!FILE_SD_PATH.test(f)) {
      valueIssue(ctx, `path name "${f}" is not valid for file discovery`, ["files", i]);
      return z.NEVER;
    }
  }
  return { files, refreshInterval: raw.refresh_interval || SD_DEFAULTS.fileRefresh };
});

export const httpSDSchema = obj("http.SDConfig", {
  ...httpClientShape,
  url: str().optional(),
  refresh_interval: duration().optional(),
}).transform((raw, ctx): HTTPSDConfig => {
  const url = raw.url ?? "";
  if (url === "") {
    valueIssue(ctx, "URL is missing");
    return z.NEVER;
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    valueIssue(ctx, "URL scheme must be 'http' or 'https'", ["url"]);
    return z.NEVER;
  }
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1] ?? "";
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  if (host === "") {
    valueIssue(ctx, "host is missing in URL", ["url"]);
    return z.NEVER;
  }
  const http = resolveHttpClient(raw);
  if (typeof http === "string") {
    valueIssue(ctx, http);
    return z.NEVER;
  }
  return { url, refreshInterval: raw.refresh_interval || SD_DEFAULTS.httpRefresh, httpClient: http };
});

export const dnsSDSchema = obj("dns.SDConfig", {
  names: list(str(), "[]string").optional(),
  refresh_interval: duration().optional(),
  type: str().optional(),
  port: int().optional(),
}).transform((raw, ctx): DNSSDConfig => {
  const names = raw.names ?? [];
  if (names.length === 0) {
    valueIssue(ctx, "DNS-SD config must contain at least one SRV record name");
    return z.NEVER;
  }
  const typeText = raw.type === undefined || raw.type === "" ? "SRV" : raw.type;
  const type = typeText.toUpperCase();
  const port = raw.port ?? 0;
  if (type === "A" || type === "AAAA" || type === "MX" || type === "NS") {
    if (port === 0) {
      valueIssue(ctx, "a port is required in DNS-SD configs for all record types except SRV");
      return z.NEVER;
    }
  } else if (type !== "SRV") {
    valueIssue(ctx, `invalid DNS-SD records type ${typeText}`, ["type"]);
    return z.NEVER;
  }
  return { names, refreshInterval: raw.refresh_interval || SD_DEFAULTS.dnsRefresh, type: type as DNSRecordType, port };
});

const unsupportedShape = Object.fromEntries(
  UNSUPPORTED_SD.map((k) => [
    k,
    z
      .unknown()
      .superRefine((_v, ctx) =>
        valueIssue(ctx, `${k} is not supported by edgeprom (it discovers targets with static_configs, file_sd_configs, http_sd_configs and dns_sd_configs)`),
      )
      .optional(),
  ]),
) as Record<(typeof UNSUPPORTED_SD)[number], z.ZodOptional<z.ZodUnknown>>;

/** The discovery fields, to spread into a section's shape. */
export const sdShape = {
  static_configs: list(notNull("empty or null section in static_configs").pipe(staticConfigSchema), "[]*targetgroup.Group").optional(),
  file_sd_configs: list(notNull("empty or null section in file_sd_configs").pipe(fileSDSchema), "[]*file.SDConfig").optional(),
  http_sd_configs: list(notNull("empty or null section in http_sd_configs").pipe(httpSDSchema), "[]*http.SDConfig").optional(),
  dns_sd_configs: list(notNull("empty or null section in dns_sd_configs").pipe(dnsSDSchema), "[]*dns.SDConfig").optional(),
  ...unsupportedShape,
};

export function resolveSD(raw: {
  static_configs?: StaticConfig[] | undefined;
  file_sd_configs?: FileSDConfig[] | undefined;
  http_sd_configs?: HTTPSDConfig[] | undefined;
  dns_sd_configs?: DNSSDConfig[] | undefined;
}): ServiceDiscoveryConfigs {
  return {
    staticConfigs: raw.static_configs ?? [],
    fileSdConfigs: raw.file_sd_configs ?? [],
    httpSdConfigs: raw.http_sd_configs ?? [],
    dnsSdConfigs: raw.dns_sd_configs ?? [],
  };
}

/** Prometheus refuses URLs as static targets unless relabeling may rewrite them. */
export function checkStaticTargets(sd: ServiceDiscoveryConfigs): { message: string; path: (string | number)[] } | undefined {
  for (const [i, sc] of sd.staticConfigs.entries()) {
    for (const [j, t] of sc.targets.entries()) {
      if (t.includes("/")) return { message: `"${t}" is not a valid hostname`, path: ["static_configs", i, "targets", j] };
    }
  }
  return undefined;
}
