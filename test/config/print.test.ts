import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { configToYaml, formatBytes } from "../../src/config/print.js";
import { parseBytes } from "../../src/config/scalars.js";

const withSecrets = `
global:
  scrape_interval: 15s
  external_labels: {region: eu}
scrape_configs:
  - job_name: basic
    basic_auth: {username: admin, password: hunter2}
    static_configs: [{targets: ['a:9100']}]
  - job_name: bearer
    bearer_token: tok-123
    http_sd_configs:
      - url: http://sd/targets
        authorization: {credentials: sd-secret}
  - job_name: oauth
    oauth2: {client_id: id, client_secret: oauth-secret, token_url: 'https://auth/token'}
    tls_config: {cert_file: c.pem, key: tls-key-secret}
  - job_name: files
    basic_auth: {username: u, password_file: /run/pw}
    authorization: null
alerting:
  alertmanagers:
    - basic_auth: {username: am, password: am-secret}
      static_configs: [{targets: ['am:9093']}]
remote_write:
  - url: https://rw.example/push
    headers: {X-Api-Key: header-secret}
    authorization: {type: Token, credentials: rw-secret}
remote_read:
  - url: https://rr.example/read
    basic_auth: {username: r, password: rr-secret}
`;

describe("configToYaml", () => {
  it("shows every secret as <secret>", () => {
    const text = configToYaml(parseConfig(withSecrets));
    for (const s of ["hunter2", "tok-123", "sd-secret", "oauth-secret", "tls-key-secret", "am-secret", "header-secret", "rw-secret", "rr-secret"]) {
      expect(text).not.toContain(s);
    }
    const y = parse(text);
    expect(y.scrape_configs[0].basic_auth).toEqual({ username: "admin", password: "<secret>" });
    expect(y.scrape_configs[1].authorization).toEqual({ type: "Bearer", credentials: "<secret>" });
    expect(y.scrape_configs[1].http_sd_configs[0].authorization.credentials).toBe("<secret>");
    expect(y.scrape_configs[2].oauth2.client_secret).toBe("<secret>");
    expect(y.scrape_configs[2].tls_config.key).toBe("<secret>");
    expect(y.scrape_configs[3].basic_auth).toEqual({ username: "u", password_file: "/run/pw" });
    expect(y.alerting.alertmanagers[0].basic_auth.password).toBe("<secret>");
    expect(y.remote_write[0].headers).toEqual({ "X-Api-Key": "<secret>" });
    expect(y.remote_write[0].authorization).toEqual({ type: "Token", credentials: "<secret>" });
    expect(y.remote_read[0].basic_auth.password).toBe("<secret>");
  });

  it("prints the resolved configuration as Prometheus does", () => {
    const text = configToYaml(
      parseConfig(`
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: x
    static_configs: [{targets: ['a:1'], labels: {x: "y"}}]
    relabel_configs:
      - {source_labels: [a], target_label: b}
`),
    );
    expect(text).toBe(`global:
  scrape_interval: 15s
  scrape_timeout: 10s
  evaluation_interval: 1m
scrape_configs:
- job_name: x
  honor_timestamps: true
  scrape_interval: 15s
  scrape_timeout: 10s
  metrics_path: /metrics
  scheme: http
  follow_redirects: true
  enable_http2: true
  relabel_configs:
  - source_labels: [a]
    separator: ;
    regex: (.*)
    target_label: b
    replacement: $1
    action: replace
  static_configs:
  - targets:
    - a:1
    labels:
      x: "y"
`);
  });

  it("round-trips: printing and parsing again gives the same configuration", () => {
    const text = `
global:
  scrape_interval: 20s
  body_size_limit: 1536KB
  external_labels: {a: "yes", b: "010"}
rule_files: [rules/*.yml]
scrape_configs:
  - job_name: "on"
    honor_labels: true
    params: {module: [http_2xx]}
    scheme: https
    metrics_path: /probe
    sample_limit: 5
    follow_redirects: false
    file_sd_configs: [{files: [t.json], refresh_interval: 1m}]
    dns_sd_configs: [{names: [x.example], type: AAAA, port: 9100}]
    relabel_configs:
      - {action: keepequal, source_labels: [a], target_label: b}
      - {action: hashmod, source_labels: [a], modulus: 3, target_label: c}
      - {action: labeldrop, regex: tmp}
    metric_relabel_configs:
      - {action: drop, source_labels: [__name__], regex: 'go_.*'}
remote_write:
  - url: http://rw/
    name: main
    queue_config: {max_shards: 10}
storage:
  tsdb: {out_of_order_time_window: 10m}
`;
    const c = parseConfig(text);
    expect(parseConfig(configToYaml(c))).toEqual(c);
  });

  it("formats byte sizes as Prometheus does, and parses them back", () => {
    expect(formatBytes(1024 * 1024)).toBe("1MiB");
    expect(formatBytes(1536)).toBe("1KiB512B");
    expect(formatBytes(7)).toBe("7B");
    for (const n of [1, 1023, 1024, 1536, 10 * 1024 ** 3 + 5]) expect(parseBytes(formatBytes(n))).toBe(n);
  });
});

describe("passwords inside URLs", () => {
  // The same config given to Prometheus 2.42 prints `user:xxxxx@` for remote_write,
  // remote_read and proxy_url (url.Redacted); edgeprom also hides http_sd and
  // oauth2 token URLs' passwords, which Prometheus 2.42 prints as written.
  const cfg = `
alerting:
  alertmanagers:
    - proxy_url: http://amu:ampw@proxy.example:3128
      static_configs: [{targets: ['127.0.0.1:9093']}]
      http_sd_configs:
        - url: http://amsd:amsdpw@sd.example/am
scrape_configs:
  - job_name: sd
    proxy_url: http://pu:pp@proxy.example:3128
    oauth2: {client_id: id, client_secret: s, token_url: 'https://tu:tpw@auth.example/token', proxy_url: 'http://opu:oppw@proxy.example:1'}
    http_sd_configs:
      - url: http://sduser:sdpw@127.0.0.1:1/sd
      - url: http://onlyuser@127.0.0.1:1/sd2
      - url: http://emptypw:@127.0.0.1:1/sd3
      - url: "http://we%40ird:p%40ss@127.0.0.1:1/sd4?x=a@b"
remote_write:
  - url: http://rwu:rwp@127.0.0.1:1/api/v1/write
remote_read:
  - url: http://rru:rrp@127.0.0.1:1/api/v1/read
`;

  it("shows user:xxxxx@ where the URL had a password, and nothing else changed", () => {
    const out = configToYaml(parseConfig(cfg));
    for (const pw of ["ampw", "amsdpw", ":pp@", "tpw", "oppw", "sdpw", "p%40ss", "rwp", "rrp"]) expect(out).not.toContain(pw);
    for (const line of [
      "proxy_url: http://amu:xxxxx@proxy.example:3128",
      "url: http://amsd:xxxxx@sd.example/am",
      "proxy_url: http://pu:xxxxx@proxy.example:3128",
      "token_url: https://tu:xxxxx@auth.example/token",
      "proxy_url: http://opu:xxxxx@proxy.example:1",
      "url: http://sduser:xxxxx@127.0.0.1:1/sd",
      "url: http://onlyuser@127.0.0.1:1/sd2",
      "url: http://emptypw:xxxxx@127.0.0.1:1/sd3",
      "url: http://we%40ird:xxxxx@127.0.0.1:1/sd4?x=a@b",
      "- url: http://rwu:xxxxx@127.0.0.1:1/api/v1/write",
      "- url: http://rru:xxxxx@127.0.0.1:1/api/v1/read",
    ]) {
      expect(out).toContain(line);
    }
  });
});
