import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { configError, job } from "./helpers.js";

describe("defaults", () => {
  it("an empty file is Prometheus' default configuration", () => {
    for (const text of ["", "---\n", "global:\n", "# nothing\n"]) {
      const c = parseConfig(text);
      expect(c.global).toEqual({
        scrapeInterval: 60_000,
        scrapeTimeout: 10_000,
        evaluationInterval: 60_000,
        ruleQueryOffset: 0,
        externalLabels: {},
        bodySizeLimit: 0,
        sampleLimit: 0,
        targetLimit: 0,
        labelLimit: 0,
        labelNameLengthLimit: 0,
        labelValueLengthLimit: 0,
        keepDroppedTargets: 0,
      });
      expect(c.scrapeConfigs).toEqual([]);
      expect(c.ruleFiles).toEqual([]);
      expect(c.alerting).toEqual({ alertRelabelConfigs: [], alertmanagers: [] });
      expect(c.remoteWrite).toEqual([]);
    }
  });

  it("a scrape config gets Prometheus' defaults", () => {
    const [sc] = parseConfig(job("    static_configs: [{targets: ['a:1']}]\n")).scrapeConfigs;
    expect(sc).toEqual({
      jobName: "x",
      honorLabels: false,
      honorTimestamps: true,
      trackTimestampsStaleness: false,
      params: {},
      scrapeInterval: 60_000,
      scrapeTimeout: 10_000,
      metricsPath: "/metrics",
      scheme: "http",
      enableCompression: true,
      bodySizeLimit: 0,
      sampleLimit: 0,
      targetLimit: 0,
      labelLimit: 0,
      labelNameLengthLimit: 0,
      labelValueLengthLimit: 0,
      keepDroppedTargets: 0,
      httpClient: { tlsConfig: { insecureSkipVerify: false }, proxyFromEnvironment: false, proxyConnectHeader: {}, followRedirects: true, enableHttp2: true },
      staticConfigs: [{ targets: ["a:1"], labels: {} }],
      fileSdConfigs: [],
      httpSdConfigs: [],
      dnsSdConfigs: [],
      relabelConfigs: [],
      metricRelabelConfigs: [],
    });
  });

  it("a global scrape_interval below 10s lowers the default timeout to it", () => {
    const c = parseConfig("global:\n  scrape_interval: 5s\n" + job("    scrape_interval: 2s\n").replace("scrape_configs", "scrape_configs"));
    expect(c.global.scrapeTimeout).toBe(5000);
    expect(c.scrapeConfigs[0]!.scrapeTimeout).toBe(2000);
  });

  it("0s intervals mean unset, as in Prometheus", () => {
    const c = parseConfig("global:\n  scrape_interval: 0s\n" + job("    scrape_interval: 0s\n    scrape_timeout: 0s\n"));
    expect(c.global.scrapeInterval).toBe(60_000);
    expect(c.scrapeConfigs[0]!.scrapeInterval).toBe(60_000);
    expect(c.scrapeConfigs[0]!.scrapeTimeout).toBe(10_000);
  });

  it("SD, alertmanager and remote write defaults", () => {
    const c = parseConfig(`
alerting:
  alertmanagers:
    - static_configs: [{targets: ["am:9093"]}]
scrape_configs:
  - job_name: sd
    file_sd_configs: [{files: [targets/*.json]}]
    http_sd_configs: [{url: "http://sd.example/targets"}]
    dns_sd_configs: [{names: [_prom._tcp.example.com]}, {names: [a.example.com], type: a, port: 9100}]
remote_write:
  - url: https://rw.example/api/v1/write
`);
    const sc = c.scrapeConfigs[0]!;
    expect(sc.fileSdConfigs).toEqual([{ files: ["targets/*.json"], refreshInterval: 300_000 }]);
    expect(sc.httpSdConfigs[0]!.refreshInterval).toBe(60_000);
    expect(sc.httpSdConfigs[0]!.httpClient.followRedirects).toBe(true);
    expect(sc.dnsSdConfigs).toEqual([
      { names: ["_prom._tcp.example.com"], refreshInterval: 30_000, type: "SRV", port: 0 },
      { names: ["a.example.com"], refreshInterval: 30_000, type: "A", port: 9100 },
    ]);
    const am = c.alerting.alertmanagers[0]!;
    expect([am.scheme, am.timeout, am.apiVersion, am.pathPrefix]).toEqual(["http", 10_000, "v2", ""]);
    const rw = c.remoteWrite[0]!;
    expect(rw.remoteTimeout).toBe(30_000);
    expect(rw.queueConfig).toEqual({
      capacity: 2500,
      maxShards: 200,
      minShards: 1,
      maxSamplesPerSend: 500,
      batchSendDeadline: 5000,
      minBackoff: 30,
      maxBackoff: 5000,
      retryOnHttp429: false,
      sampleAgeLimit: 0,
    });
    expect(rw.metadataConfig).toEqual({ send: true, sendInterval: 60_000, maxSamplesPerSend: 500 });
  });
});

describe("inheritance from global", () => {
  const base = `
global:
  scrape_interval: 15s
  scrape_timeout: 5s
  evaluation_interval: 30s
  external_labels: {region: eu, replica: "1"}
  body_size_limit: 10MB
  sample_limit: 1000
  target_limit: 10
  label_limit: 30
  label_name_length_limit: 100
  label_value_length_limit: 200
scrape_configs:
  - job_name: inherits
  - job_name: overrides
    scrape_interval: 1m
    scrape_timeout: 20s
    body_size_limit: 1KiB
    sample_limit: 5
    target_limit: 6
    label_limit: 7
    label_name_length_limit: 8
    label_value_length_limit: 9
`;
  it("unset fields take the global values; set ones keep theirs", () => {
    const c = parseConfig(base);
    expect(c.global.externalLabels).toEqual({ region: "eu", replica: "1" });
    expect(c.global.evaluationInterval).toBe(30_000);
    const [a, b] = c.scrapeConfigs;
    expect([a!.scrapeInterval, a!.scrapeTimeout, a!.bodySizeLimit, a!.sampleLimit, a!.targetLimit, a!.labelLimit, a!.labelNameLengthLimit, a!.labelValueLengthLimit]).toEqual([
      15_000, 5000, 10 * 1024 * 1024, 1000, 10, 30, 100, 200,
    ]);
    expect([b!.scrapeInterval, b!.scrapeTimeout, b!.bodySizeLimit, b!.sampleLimit, b!.targetLimit, b!.labelLimit, b!.labelNameLengthLimit, b!.labelValueLengthLimit]).toEqual([
      60_000, 20_000, 1024, 5, 6, 7, 8, 9,
    ]);
  });

  it("a job interval below the global timeout caps the inherited timeout", () => {
    const c = parseConfig("global:\n  scrape_timeout: 10s\n" + job("    scrape_interval: 3s\n"));
    expect(c.scrapeConfigs[0]!.scrapeTimeout).toBe(3000);
  });
});

describe("values", () => {
  it("reads YAML 1.1 like go-yaml: yes/no booleans, numbers kept as written in strings", () => {
    const c = parseConfig(job("    honor_labels: yes\n    honor_timestamps: off\n    static_configs: [{targets: ['a:1'], labels: {n: 0x1F, b: on}}]\n", "007"));
    const sc = c.scrapeConfigs[0]!;
    expect(sc.jobName).toBe("007");
    expect(sc.honorLabels).toBe(true);
    expect(sc.honorTimestamps).toBe(false);
    expect(sc.staticConfigs[0]!.labels).toEqual({ n: "0x1F", b: "on" });
  });

  it("durations and byte sizes", () => {
    const c = parseConfig(job("    scrape_interval: 1h30m\n    scrape_timeout: 1m500ms\n    body_size_limit: 1.5MB\n"));
    const sc = c.scrapeConfigs[0]!;
    expect([sc.scrapeInterval, sc.scrapeTimeout, sc.bodySizeLimit]).toEqual([5_400_000, 60_500, 1_572_864]);
  });

  it("anchors, aliases and merge keys", () => {
    const c = parseConfig(`
defaults: &d
  scrape_interval: 30s
  metrics_path: /m
`.replace("defaults", "x-unused") && `
scrape_configs:
  - &base
    job_name: a
    scrape_interval: 30s
    metrics_path: /m
  - <<: *base
    job_name: b
`);
    expect(c.scrapeConfigs.map((s) => [s.jobName, s.scrapeInterval, s.metricsPath])).toEqual([
      ["a", 30_000, "/m"],
      ["b", 30_000, "/m"],
    ]);
  });

  it("bearer_token becomes a Bearer authorization, as in Prometheus", () => {
    const c = parseConfig(job("    bearer_token: tok\n") + "\n  - job_name: y\n    bearer_token_file: /t\n");
    expect(c.scrapeConfigs[0]!.httpClient.authorization).toEqual({ type: "Bearer", credentials: "tok" });
    expect(c.scrapeConfigs[1]!.httpClient.authorization).toEqual({ type: "Bearer", credentialsFile: "/t" });
    const d = parseConfig(job("    authorization: {credentials: c}\n    basic_auth: null\n"));
    expect(d.scrapeConfigs[0]!.httpClient.authorization).toEqual({ type: "Bearer", credentials: "c" });
  });

  it("relabel actions are case-insensitive", () => {
    const c = parseConfig(job("    relabel_configs: [{action: Keep, source_labels: [a], regex: x}]\n"));
    expect(c.scrapeConfigs[0]!.relabelConfigs[0]!.action).toBe("keep");
  });
});

describe("errors", () => {
  const cases: { name: string; yaml: string; message: string; line?: number; path?: string }[] = [
    {
      name: "unknown top-level field",
      yaml: "foo: 1\n",
      message: "yaml: unmarshal errors:\n  line 1: field foo not found in type config.Config (at foo)",
      line: 1,
      path: "foo",
    },
    {
      name: "unknown fields, all reported with lines",
      yaml: job("    foo: 1\n    static_configs:\n      - targets: [a:1]\n        bar: 2\n"),
      message:
        "yaml: unmarshal errors:\n  line 3: field foo not found in type config.ScrapeConfig (at scrape_configs[0].foo)\n" +
        "  line 6: field bar not found in type targetgroup.Group (at scrape_configs[0].static_configs[0].bar)",
      line: 3,
    },
    {
      name: "unknown relabel field",
      yaml: job("    relabel_configs:\n      - foo: 1\n"),
      message: "yaml: unmarshal errors:\n  line 4: field foo not found in type relabel.Config (at scrape_configs[0].relabel_configs[0].foo)",
    },
    {
      name: "type mismatches",
      yaml: job("    metrics_path: {a: b}\n    sample_limit: -1\n    honor_labels: maybe\n    params: {a: b}\n"),
      message:
        "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!map into string (at scrape_configs[0].metrics_path)\n" +
        "  line 4: cannot unmarshal !!int `-1` into uint (at scrape_configs[0].sample_limit)\n" +
        "  line 5: cannot unmarshal !!str `maybe` into bool (at scrape_configs[0].honor_labels)\n" +
        "  line 6: cannot unmarshal !!str `b` into []string (at scrape_configs[0].params.a)",
    },
    { name: "scrape_configs not a list", yaml: "scrape_configs: 1\n", message: "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `1` into []*config.ScrapeConfig (at scrape_configs)" },
    { name: "duplicate key", yaml: job("    job_name: y\n"), message: 'yaml: unmarshal errors:\n  line 3: key "job_name" already set in map (at scrape_configs[0].job_name)' },
    { name: "YAML syntax", yaml: "scrape_configs:\n  - job_name: x\n bad: [\n", message: "yaml: line 3:", line: 3 },
    { name: "bad duration", yaml: job("    scrape_interval: 5x\n"), message: 'not a valid duration string: "5x" (at scrape_configs[0].scrape_interval, line 3)', line: 3, path: "scrape_configs[0].scrape_interval" },
    { name: "fractional duration", yaml: job("    scrape_timeout: 1.5s\n"), message: 'not a valid duration string: "1.5s"' },
    { name: "number as duration", yaml: "global:\n  evaluation_interval: 10\n", message: 'not a valid duration string: "10" (at global.evaluation_interval, line 2)' },
    {
      name: "job timeout greater than interval",
      yaml: job("    scrape_interval: 5s\n    scrape_timeout: 10s\n"),
      message: 'scrape timeout greater than scrape interval for scrape config with job name "x" (at scrape_configs[0].scrape_timeout, line 4)',
      line: 4,
    },
    {
      name: "inherited timeout greater than job interval",
      yaml: "global:\n  scrape_timeout: 20s\n" + job("    scrape_interval: 10s\n    scrape_timeout: 15s\n"),
      message: 'scrape timeout greater than scrape interval for scrape config with job name "x"',
    },
    { name: "global timeout greater than interval", yaml: "global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n", message: "global scrape timeout greater than scrape interval (at global.scrape_timeout, line 3)" },
    {
      name: "duplicate job",
      yaml: "scrape_configs:\n  - job_name: x\n  - job_name: y\n  - job_name: x\n",
      message: 'found multiple scrape configs with job name "x" (at scrape_configs[2].job_name, line 4)',
      line: 4,
    },
    { name: "empty job name", yaml: "scrape_configs:\n  - scrape_interval: 1s\n", message: "job_name is empty (at scrape_configs[0], line 2)" },
    { name: "null scrape config", yaml: "scrape_configs:\n  - ~\n", message: "empty or null scrape config section" },
    { name: "null relabel rule", yaml: job("    relabel_configs: [~]\n"), message: "empty or null target relabeling rule in scrape config" },
    { name: "bad regex", yaml: job("    relabel_configs:\n      - regex: 'a('\n"), message: "error parsing regexp: missing closing ): `a(`" },
    { name: "regex RE2 rejects (lookahead)", yaml: job("    relabel_configs:\n      - regex: 'a(?=b)'\n        action: keep\n"), message: "error parsing regexp: invalid or unsupported Perl syntax: `(?=`" },
    { name: "regex RE2 rejects (backreference)", yaml: job("    relabel_configs:\n      - regex: '(a)\\1'\n        action: keep\n"), message: "error parsing regexp: invalid escape sequence: `\\1`" },
    { name: "bad relabel action", yaml: job("    relabel_configs:\n      - action: foo\n"), message: 'unknown relabel action "foo" (at scrape_configs[0].relabel_configs[0].action, line 4)' },
    { name: "replace without target_label", yaml: job("    relabel_configs:\n      - source_labels: [a]\n"), message: "relabel configuration for replace action requires 'target_label' value (at scrape_configs[0].relabel_configs[0], line 4)" },
    { name: "invalid target_label", yaml: job("    relabel_configs:\n      - {source_labels: [a], target_label: 1a}\n"), message: `"1a" is invalid 'target_label' for replace action` },
    { name: "invalid template target_label", yaml: job("    relabel_configs:\n      - {source_labels: [a], target_label: 'a-$1'}\n"), message: `"a-$1" is invalid 'target_label' for replace action` },
    { name: "hashmod without modulus", yaml: job("    relabel_configs:\n      - {action: hashmod, target_label: a}\n"), message: "relabel configuration for hashmod requires non-zero modulus" },
    { name: "lowercase with replacement", yaml: job("    relabel_configs:\n      - {action: lowercase, source_labels: [a], target_label: b, replacement: c}\n"), message: "'replacement' can not be set for lowercase action" },
    { name: "keepequal with regex", yaml: job("    relabel_configs:\n      - {action: keepequal, source_labels: [a], target_label: b, regex: x}\n"), message: "keepequal action requires only 'source_labels' and `target_label`, and no other fields" },
    { name: "labeldrop with source_labels", yaml: job("    relabel_configs:\n      - {action: labeldrop, source_labels: [a]}\n"), message: "labeldrop action requires only 'regex', and no other fields" },
    { name: "labelmap bad replacement", yaml: job("    relabel_configs:\n      - {action: labelmap, replacement: '1$1'}\n"), message: `"1$1" is invalid 'replacement' for labelmap action` },
    { name: "bad source label name", yaml: job("    relabel_configs:\n      - {source_labels: [a-b], target_label: c}\n"), message: `"a-b" is not a valid label name` },
    { name: "URL as static target", yaml: job("    static_configs: [{targets: ['http://a:1']}]\n"), message: `"http://a:1" is not a valid hostname (at scrape_configs[0].static_configs[0].targets[0], line 3)` },
    { name: "bad static label name", yaml: job("    static_configs: [{targets: ['a:1'], labels: {'1a': b}}]\n"), message: `"1a" is not a valid label name` },
    { name: "bad external label name", yaml: "global:\n  external_labels: {'a.b': c}\n", message: `"a.b" is not a valid label name (at global.external_labels.a.b, line 2)` },
    { name: "file_sd without files", yaml: job("    file_sd_configs: [{files: []}]\n"), message: "file service discovery config must contain at least one path name" },
    { name: "file_sd bad extension", yaml: job("    file_sd_configs: [{files: [a.txt]}]\n"), message: `path name "a.txt" is not valid for file discovery` },
    { name: "http_sd without url", yaml: job("    http_sd_configs: [{refresh_interval: 1m}]\n"), message: "URL is missing" },
    { name: "http_sd bad scheme", yaml: job("    http_sd_configs: [{url: 'ftp://x/'}]\n"), message: "URL scheme must be 'http' or 'https'" },
    { name: "http_sd without host", yaml: job("    http_sd_configs: [{url: 'http:///x'}]\n"), message: "host is missing in URL" },
    { name: "dns_sd without names", yaml: job("    dns_sd_configs: [{names: []}]\n"), message: "DNS-SD config must contain at least one SRV record name" },
    { name: "dns_sd bad type", yaml: job("    dns_sd_configs: [{names: [a], type: TXT}]\n"), message: "invalid DNS-SD records type TXT" },
    { name: "dns_sd A without port", yaml: job("    dns_sd_configs: [{names: [a], type: A}]\n"), message: "a port is required in DNS-SD configs for all record types except SRV" },
    { name: "password and password_file", yaml: job("    basic_auth: {username: u, password: p, password_file: f}\n"), message: "at most one of basic_auth password & password_file must be configured" },
    { name: "credentials and credentials_file", yaml: job("    authorization: {credentials: c, credentials_file: f}\n"), message: "at most one of authorization credentials & credentials_file must be configured" },
    { name: "authorization type basic", yaml: job("    authorization: {type: Basic, credentials: c}\n"), message: `authorization type cannot be set to "basic", use "basic_auth" instead` },
    { name: "basic_auth and authorization", yaml: job("    basic_auth: {username: u}\n    authorization: {credentials: c}\n"), message: "at most one of basic_auth, oauth2 & authorization must be configured" },
    { name: "bearer_token and basic_auth", yaml: job("    bearer_token: a\n    basic_auth: {username: u}\n"), message: "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured" },
    { name: "bearer_token and authorization", yaml: job("    bearer_token: a\n    authorization: {credentials: c}\n"), message: "authorization is not compatible with bearer_token & bearer_token_file" },
    { name: "bearer_token and bearer_token_file", yaml: job("    bearer_token: a\n    bearer_token_file: b\n"), message: "at most one of bearer_token & bearer_token_file must be configured" },
    { name: "oauth2 without secret", yaml: job("    oauth2: {client_id: a, token_url: 'http://t/'}\n"), message: "either oauth2 client_secret or client_secret_file must be configured" },
    { name: "tls cert without key", yaml: job("    tls_config: {cert_file: a}\n"), message: `client cert file "a" specified without client key file` },
    { name: "tls bad version", yaml: job("    tls_config: {min_version: TLS14}\n"), message: "unknown TLS version: TLS14" },
    { name: "bad body size unit", yaml: job("    body_size_limit: 10XB\n"), message: "units: unknown unit XB in 10XB" },
    { name: "unsupported scheme", yaml: job("    scheme: ftp\n"), message: `unsupported scheme "ftp" for scrape config with job name "x": edgeprom speaks http and https` },
    { name: "unsupported SD", yaml: job("    kubernetes_sd_configs: [{role: pod}]\n"), message: "kubernetes_sd_configs is not supported by edgeprom" },
    { name: "remote_write without url", yaml: "remote_write:\n  - remote_timeout: 1s\n", message: "url for remote_write is empty" },
    { name: "remote_write duplicate name", yaml: "remote_write:\n  - {url: 'http://a/', name: a}\n  - {url: 'http://b/', name: a}\n", message: `found multiple remote write configs with job name "a" (at remote_write[1].name, line 3)` },
    { name: "remote_write authorization header", yaml: "remote_write:\n  - {url: 'http://a/', headers: {Authorization: x}}\n", message: "authorization header must be changed via the basic_auth, authorization, oauth2, or sigv4 parameter" },
    { name: "remote_write reserved header", yaml: "remote_write:\n  - {url: 'http://a/', headers: {User-Agent: x}}\n", message: "User-Agent is a reserved header. It must not be changed" },
    { name: "alertmanager api version", yaml: "alerting:\n  alertmanagers:\n    - api_version: v3\n", message: "expected Alertmanager api version to be one of [v2] but got v3" },
    { name: "invalid rule file path", yaml: "rule_files: ['a/*/b.yml']\n", message: `invalid rule file path "a/*/b.yml" (at rule_files[0], line 1)` },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const e = configError(c.yaml);
      expect(e).toBeInstanceOf(ConfigError);
      if (c.message.includes("(at") || c.message.startsWith("yaml: unmarshal")) expect(e.message).toBe(c.message);
      else expect(e.message).toContain(c.message);
      if (c.line !== undefined) expect(e.line).toBe(c.line);
      if (c.path !== undefined) expect(e.path).toBe(c.path);
    });
  }

  it("reports the first validation error in document order, over type errors", () => {
    const e = configError(job("    foo: 1\n    scrape_interval: 1x\n    relabel_configs: [{action: nope}]\n"));
    expect(e.message).toBe('not a valid duration string: "1x" (at scrape_configs[0].scrape_interval, line 4)');
  });

  it("names the region when given one", () => {
    expect(() => parseConfig("foo: 1\n", { region: "eu" })).toThrow(/^region "eu": yaml: unmarshal errors:/);
  });
});

describe("the every-field fixture", () => {
  it("lands every field in the typed configuration", async () => {
    const { EVERY_FIELD } = await import("./fixtures.js");
    const c = parseConfig(EVERY_FIELD);
    expect(c.global).toMatchObject({ scrapeInterval: 15_000, scrapeTimeout: 10_000, evaluationInterval: 30_000, externalLabels: { region: "eu-west", replica: "1" } });
    expect(c.ruleFiles).toEqual(["rules/node.yml", "rules/*.yml"]);
    const [node, api, bearer] = c.scrapeConfigs;
    expect(node).toMatchObject({
      jobName: "node",
      scrapeInterval: 30_000,
      scrapeTimeout: 20_000,
      metricsPath: "/metrics",
      scheme: "http",
      params: { "collect[]": ["cpu", "meminfo"] },
      honorLabels: true,
      honorTimestamps: false,
      sampleLimit: 5000,
      labelLimit: 40,
      labelNameLengthLimit: 100,
      labelValueLengthLimit: 1000,
      bodySizeLimit: 10 * 1024 * 1024,
      targetLimit: 100,
      httpClient: { basicAuth: { username: "prom", password: "s3cret" }, followRedirects: true },
      staticConfigs: [{ targets: ["node-1:9100", "node-2:9100"], labels: { env: "prod" } }],
      fileSdConfigs: [{ files: ["targets/web.json", "targets/*.yml"], refreshInterval: 120_000 }],
      dnsSdConfigs: [
        { names: ["_node._tcp.example.com"], type: "SRV", port: 0, refreshInterval: 30_000 },
        { names: ["nodes.example.com"], type: "A", port: 9100, refreshInterval: 30_000 },
      ],
    });
    expect(node!.httpSdConfigs[0]).toMatchObject({ url: "http://sd.example.com/targets", httpClient: { basicAuth: { username: "sd", passwordFile: "secrets/password" } } });
    expect(node!.relabelConfigs.map((r) => r.action)).toEqual(["replace", "keep", "drop", "hashmod", "labelmap", "uppercase", "lowercase", "keepequal", "dropequal", "replace"]);
    expect(node!.relabelConfigs[0]!.regex).toBe("([^:]+):\\d+");
    expect(node!.metricRelabelConfigs.map((r) => r.action)).toEqual(["drop", "labeldrop", "labelkeep"]);
    expect(api).toMatchObject({ scheme: "https", httpClient: { authorization: { type: "Bearer", credentialsFile: "secrets/token" }, followRedirects: false } });
    expect(bearer!.httpClient.authorization).toEqual({ type: "Bearer", credentials: "abc" });
    expect(c.alerting.alertmanagers[0]).toMatchObject({ pathPrefix: "/alertmanager", timeout: 5000, httpClient: { followRedirects: false } });
    expect(c.remoteWrite[0]).toMatchObject({ name: "main", remoteTimeout: 10_000, headers: { "X-Scope-OrgID": "tenant-1" }, queueConfig: { capacity: 5000, maxShards: 10, maxSamplesPerSend: 1000 } });
  });
});
