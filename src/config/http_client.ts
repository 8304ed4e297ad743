// The HTTP client settings Prometheus inlines into several sections
// (prometheus/common's HTTPClientConfig): fields, defaults and validation.
import { z } from "zod";
import { bool, list, obj, str, strMap, typeMismatch } from "./scalars.js";
import { isYamlMap } from "./yaml_tree.js";
import type { HTTPClientConfig, TLSConfig } from "./types.js";

const TLS_VERSIONS = new Set(["TLS10", "TLS11", "TLS12", "TLS13"]);

export const tlsConfigSchema = obj("config.TLSConfig", {
  ca: str().optional(),
  ca_file: str().optional(),
  cert: str().optional(),
  cert_file: str().optional(),
  key: str().optional(),
  key_file: str().optional(),
  server_name: str().optional(),
  insecure_skip_verify: bool().optional(),
  min_version: str().optional(),
  max_version: str().optional(),
});

type RawTLS = z.output<typeof tlsConfigSchema>;

function resolveTLS(raw: RawTLS | undefined): TLSConfig | string {
  const t: TLSConfig = { insecureSkipVerify: raw?.insecure_skip_verify ?? false };
  if (raw === undefined) return t;
  const pairs: [keyof TLSConfig, string | undefined][] = [
    ["ca", raw.ca],
    ["caFile", raw.ca_file],
    ["cert", raw.cert],
    ["certFile", raw.cert_file],
    ["key", raw.key],
    ["keyFile", raw.key_file],
    ["serverName", raw.server_name],
    ["minVersion", raw.min_version],
    ["maxVersion", raw.max_version],
  ];
  for (const [k, v] of pairs) if (v !== undefined && v !== "") (t as unknown as Record<string, unknown>)[k] = v;
  for (const v of [t.minVersion, t.maxVersion]) if (v !== undefined && !TLS_VERSIONS.has(v)) return `unknown TLS version: ${v}`;
  if (t.ca !== undefined && t.caFile !== undefined) return "at most one of ca and ca_file must be configured";
  if (t.cert !== undefined && t.certFile !== undefined) return "at most one of cert and cert_file must be configured";
  if (t.key !== undefined && t.keyFile !== undefined) return "at most one of key and key_file must be configured";
  if (t.certFile !== undefined && t.keyFile === undefined && t.key === undefined) return `client cert file "${t.certFile}" specified without client key file`;
  if (t.keyFile !== undefined && t.certFile === undefined && t.cert === undefined) return `client key file "${t.keyFile}" specified without client cert file`;
  return t;
}

/** Checks a proxy/endpoint URL the way Go's url.Parse would complain. */
export function checkURL(s: string): string | undefined {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) return `parse "${s}": missing protocol scheme`;
  try {
    new URL(s);
  } catch {
    return `parse "${s}": invalid URL`;
  }
  return undefined;
}

const oauth2Schema = obj("config.OAuth2", {
  client_id: str().optional(),
  client_secret: str().optional(),
  client_secret_file: str().optional(),
  scopes: list(str(), "[]string").optional(),
  token_url: str().optional(),
  endpoint_params: strMap("map[string]string").optional(),
  tls_config: tlsConfigSchema.optional(),
  proxy_url: str().optional(),
});

/** The inlined fields, to spread into a section's shape. */
export const httpClientShape = {
  basic_auth: obj("config.BasicAuth", {
    username: str().optional(),
    username_file: str().optional(),
    password: str().optional(),
    password_file: str().optional(),
  }).optional(),
  authorization: obj("config.Authorization", {
    type: str().optional(),
    credentials: str().optional(),
    credentials_file: str().optional(),
  }).optional(),
  oauth2: oauth2Schema.optional(),
  bearer_token: str().optional(),
  bearer_token_file: str().optional(),
  tls_config: tlsConfigSchema.optional(),
  proxy_url: str().optional(),
  no_proxy: str().optional(),
  proxy_from_environment: bool().optional(),
  proxy_connect_header: z
    .custom<any>((v) => isYamlMap(v), { error: (iss) => typeMismatch(iss.input, "config.ProxyHeader") })
    .pipe(z.record(z.string(), list(str(), "[]config.Secret")))
    .optional(),
  follow_redirects: bool().optional(),
  enable_http2: bool().optional(),
};

type RawHTTP = { [K in keyof typeof httpClientShape]?: z.output<(typeof httpClientShape)[K]> };

/** Prometheus' defaults and checks for the inlined HTTP client fields. Returns the
 * resolved settings, or the first error message. */
export function resolveHttpClient(raw: RawHTTP, defaults: { enableHttp2?: boolean } = {}): HTTPClientConfig | string {
  const bearer = raw.bearer_token ?? "";
  const bearerFile = raw.bearer_token_file ?? "";
  const ba = raw.basic_auth;
  const oa = raw.oauth2;
  if (bearer !== "" && bearerFile !== "") return "at most one of bearer_token & bearer_token_file must be configured";
  if ((ba !== undefined || oa !== undefined) && (bearer !== "" || bearerFile !== "")) {
    return "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured";
  }
  if (ba !== undefined && (ba.password ?? "") !== "" && (ba.password_file ?? "") !== "") {
    return "at most one of basic_auth password & password_file must be configured";
  }
  if (ba !== undefined && (ba.username ?? "") !== "" && (ba.username_file ?? "") !== "") {
    return "at most one of basic_auth username & username_file must be configured";
  }
  const out: HTTPClientConfig = {
    tlsConfig: { insecureSkipVerify: false },
    proxyFromEnvironment: raw.proxy_from_environment ?? false,
    proxyConnectHeader: raw.proxy_connect_header ?? {},
    followRedirects: raw.follow_redirects ?? true,
    enableHttp2: raw.enable_http2 ?? defaults.enableHttp2 ?? true,
  };
  const au = raw.authorization;
  if (au !== undefined) {
    if (bearer !== "" || bearerFile !== "") return "authorization is not compatible with bearer_token & bearer_token_file";
    if ((au.credentials ?? "") !== "" && (au.credentials_file ?? "") !== "") {
      return "at most one of authorization credentials & credentials_file must be configured";
    }
    const type = (au.type ?? "").trim() || "Bearer";
    if (type.toLowerCase() === "basic") return `authorization type cannot be set to "basic", use "basic_auth" instead`;
    if (ba !== undefined || oa !== undefined) return "at most one of basic_auth, oauth2 & authorization must be configured";
    out.authorization = { type };
    if ((au.credentials ?? "") !== "") out.authorization.credentials = au.credentials;
    if ((au.credentials_file ?? "") !== "") out.authorization.credentialsFile = au.credentials_file;
  } else if (bearer !== "") {
    out.authorization = { type: "Bearer", credentials: bearer };
  } else if (bearerFile !== "") {
    out.authorization = { type: "Bearer", credentialsFile: bearerFile };
  }
  if (ba !== undefined) {
    out.basicAuth = { username: ba.username ?? "" };
    if ((ba.username_file ?? "") !== "") out.basicAuth.usernameFile = ba.username_file;
    if ((ba.password ?? "") !== "") out.basicAuth.password = ba.password;
    if ((ba.password_file ?? "") !== "") out.basicAuth.passwordFile = ba.password_file;
  }
  if (oa !== undefined) {
    if (ba !== undefined) return "at most one of oauth2 & basic_auth must be configured";
    if ((oa.client_id ?? "") === "") return "oauth2 client_id must be configured";
    if ((oa.client_secret ?? "") === "" && (oa.client_secret_file ?? "") === "") {
      return "either oauth2 client_secret or client_secret_file must be configured";
    }
    if ((oa.token_url ?? "") === "") return "oauth2 token_url must be configured";
    if ((oa.client_secret ?? "") !== "" && (oa.client_secret_file ?? "") !== "") {
      return "at most one of oauth2 client_secret & client_secret_file must be configured";
    }
    const tls = resolveTLS(oa.tls_config);
    if (typeof tls === "string") return tls;
    out.oauth2 = {
      clientId: oa.client_id!,
      scopes: oa.scopes ?? [],
      tokenUrl: oa.token_url!,
      endpointParams: oa.endpoint_params ?? {},
      tlsConfig: tls,
    };
    if ((oa.client_secret ?? "") !== "") out.oauth2.clientSecret = oa.client_secret;
    if ((oa.client_secret_file ?? "") !== "") out.oauth2.clientSecretFile = oa.client_secret_file;
    if ((oa.proxy_url ?? "") !== "") out.oauth2.proxyUrl = oa.proxy_url;
  }
  const tls = resolveTLS(raw.tls_config);
  if (typeof tls === "string") return tls;
  out.tlsConfig = tls;
  if ((raw.proxy_url ?? "") !== "") {
    const err = checkURL(raw.proxy_url!);
    if (err !== undefined) return err;
    out.proxyUrl = raw.proxy_url;
  }
  if ((raw.no_proxy ?? "") !== "") {
    if (out.proxyUrl === undefined) return "if no_proxy is configured, proxy_url must also be configured";
    out.noProxy = raw.no_proxy;
  }
  if (out.proxyFromEnvironment && (out.proxyUrl !== undefined || out.noProxy !== undefined)) {
    return "if proxy_from_environment is configured, proxy_url and no_proxy must not be configured";
  }
  return out;
}
