// Configurations for the differential test against promtool (promtool.test.ts).

/** A configuration using every field the issue lists (and more) that Prometheus 2.42 knows. */
export const EVERY_FIELD = `
global:
  scrape_interval: 15s
  scrape_timeout: 10s
  evaluation_interval: 30s
  external_labels:
    region: eu-west
    replica: "1"
  # (global limits exist since Prometheus 2.45: promtool 2.42 refuses them; see load.test.ts)
rule_files:
  - rules/node.yml
  - rules/*.yml
alerting:
  alert_relabel_configs:
    - regex: replica
      action: labeldrop
      separator: ";"
  alertmanagers:
    - scheme: http
      path_prefix: /alertmanager
      timeout: 5s
      api_version: v2
      follow_redirects: false
      static_configs:
        - targets: ["am-1:9093", "am-2:9093"]
      relabel_configs:
        - source_labels: [__address__]
          target_label: am
scrape_configs:
  - job_name: node
    scrape_interval: 30s
    scrape_timeout: 20s
    metrics_path: /metrics
    scheme: http
    params:
      collect[]: [cpu, meminfo]
    honor_labels: true
    honor_timestamps: false
    basic_auth:
      username: prom
      password: s3cret
    follow_redirects: true
    sample_limit: 5000
    label_limit: 40
    label_name_length_limit: 100
    label_value_length_limit: 1000
    body_size_limit: 10MB
    target_limit: 100
    static_configs:
      - targets: ["node-1:9100", "node-2:9100"]
        labels:
          env: prod
    file_sd_configs:
      - files: [targets/web.json, targets/*.yml]
        refresh_interval: 2m
    http_sd_configs:
      - url: http://sd.example.com/targets
        refresh_interval: 1m
        basic_auth: {username: sd, password_file: secrets/password}
    dns_sd_configs:
      - names: [_node._tcp.example.com]
        refresh_interval: 30s
      - names: [nodes.example.com]
        type: A
        port: 9100
    relabel_configs:
      - source_labels: [__address__]
        regex: "([^:]+):\\\\d+"
        target_label: host
        replacement: "$1"
        action: replace
      - source_labels: [env, host]
        separator: "/"
        regex: "prod/.*"
        action: keep
      - source_labels: [host]
        regex: "tmp-.*"
        action: drop
      - source_labels: [__address__]
        modulus: 4
        target_label: __tmp_shard
        action: hashmod
      - regex: "__meta_dns_(.+)"
        replacement: "dns_$1"
        action: labelmap
      - source_labels: [env]
        target_label: env_upper
        action: uppercase
      - source_labels: [env]
        target_label: env_lower
        action: lowercase
      - source_labels: [env]
        target_label: stage
        action: keepequal
      - source_labels: [host]
        target_label: instance
        action: dropequal
      - source_labels: [host]
        target_label: "\${1}_copy"
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: "go_gc_.*"
        action: drop
      - regex: "tmp_.*"
        action: labeldrop
      - regex: "__.*|job|instance|env"
        action: labelkeep
  - job_name: api
    scheme: https
    metrics_path: /internal/metrics
    authorization:
      type: Bearer
      credentials_file: secrets/token
    follow_redirects: false
    static_configs:
      - targets: ["api.example.com"]
  - job_name: bearer
    bearer_token: abc
    static_configs:
      - targets: ["b:1"]
remote_write:
  - url: https://rw.example.com/api/v1/write
    name: main
    remote_timeout: 10s
    headers:
      X-Scope-OrgID: tenant-1
    authorization:
      credentials: rw-token
    write_relabel_configs:
      - source_labels: [__name__]
        regex: "job:.*"
        action: keep
    queue_config:
      capacity: 5000
      max_shards: 10
      min_shards: 1
      max_samples_per_send: 1000
      batch_send_deadline: 5s
      min_backoff: 30ms
      max_backoff: 5s
    metadata_config:
      send: true
      send_interval: 1m
  - url: http://backup.example.com/write
    basic_auth: {username: b, password: p}
`;

export const VALID: Record<string, string> = {
  "remote_write retrying on 429, urls without a scheme":
    "remote_write:\n  - url: localhost:9090\n    queue_config:\n      retry_on_http_429: true\n  - url: localhost:9201\n",
  "a !!binary label value that is UTF-8": 'global:\n  external_labels:\n    name: !!binary "aGk="\n',
  "empty file": "",
  "only comments": "# nothing yet\n",
  minimal: "scrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: [localhost:9090]\n",
  "every field": EVERY_FIELD,
  "global interval below the default timeout": "global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: fast\n    scrape_interval: 2s\n",
  "YAML 1.1 values, anchors and merge keys": `
scrape_configs:
  - &base
    job_name: one
    honor_labels: yes
    scrape_interval: 1m
    static_configs: [{targets: ['a:1'], labels: {n: 0x10, flag: on}}]
  - <<: *base
    job_name: two
`,
  "URL targets allowed when relabeling": `
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params: {module: [http_2xx]}
    static_configs: [{targets: ['https://example.com/health']}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {target_label: __address__, replacement: 'blackbox:9115'}
`,
  "relabel action case-insensitive": "scrape_configs:\n  - job_name: x\n    relabel_configs:\n      - {action: Keep, source_labels: [a], regex: b}\n",
  "tls client cert and key": "scrape_configs:\n  - job_name: x\n    tls_config: {cert_file: secrets/token, key_file: secrets/password, insecure_skip_verify: true}\n",
};

interface Broken {
  yaml: string;
  /** Text both promtool's and our message must contain. */
  expect: string;
}

const job = (body: string) => `scrape_configs:\n  - job_name: x\n${body}`;

export const BROKEN: Record<string, Broken> = {
  "a !!binary label value that is not UTF-8": { yaml: 'global:\n  external_labels:\n    name: !!binary "/w=="\n', expect: '"\\xff" is not a valid label value' },
  "unknown top-level field": { yaml: "foo: 1\n", expect: "line 1: field foo not found in type config." },
  "unknown global field": { yaml: "global:\n  scrape_intervl: 1m\n", expect: "line 2: field scrape_intervl not found in type config." },
  "unknown scrape field": { yaml: job("    metric_path: /m\n"), expect: "line 3: field metric_path not found in type config.ScrapeConfig" },
  "unknown relabel field": { yaml: job("    relabel_configs:\n      - source_label: [a]\n"), expect: "line 4: field source_label not found in type relabel." },
  "bad duration": { yaml: job("    scrape_interval: 5x\n"), expect: 'not a valid duration string: "5x"' },
  "fractional duration": { yaml: job("    scrape_interval: 1.5m\n"), expect: 'not a valid duration string: "1.5m"' },
  "job timeout greater than interval": {
    yaml: job("    scrape_interval: 5s\n    scrape_timeout: 10s\n"),
    expect: 'scrape timeout greater than scrape interval for scrape config with job name "x"',
  },
  "global timeout greater than interval": { yaml: "global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n", expect: "global scrape timeout greater than scrape interval" },
  "duplicate job": { yaml: "scrape_configs:\n  - job_name: x\n  - job_name: x\n", expect: 'found multiple scrape configs with job name "x"' },
  "bad regex": { yaml: job("    relabel_configs:\n      - {source_labels: [a], regex: 'a(', action: keep}\n"), expect: "error parsing regexp: missing closing ): " },
  "bad relabel action": { yaml: job("    relabel_configs:\n      - {source_labels: [a], action: rename}\n"), expect: 'unknown relabel action "rename"' },
  "missing target_label for replace": { yaml: job("    relabel_configs:\n      - {source_labels: [a]}\n"), expect: "relabel configuration for replace action requires 'target_label' value" },
  "hashmod without modulus": { yaml: job("    relabel_configs:\n      - {source_labels: [a], target_label: b, action: hashmod}\n"), expect: "relabel configuration for hashmod requires non-zero modulus" },
  "invalid target_label": { yaml: job("    relabel_configs:\n      - {source_labels: [a], target_label: 'a-b'}\n"), expect: `"a-b" is invalid 'target_label' for replace action` },
  "labeldrop with source_labels": { yaml: job("    relabel_configs:\n      - {source_labels: [a], action: labeldrop}\n"), expect: "labeldrop action requires only 'regex', and no other fields" },
  "keepequal with regex": { yaml: job("    relabel_configs:\n      - {source_labels: [a], target_label: b, regex: c, action: keepequal}\n"), expect: "keepequal action requires only 'source_labels'" },
  "uppercase with replacement": { yaml: job("    relabel_configs:\n      - {source_labels: [a], target_label: b, replacement: c, action: uppercase}\n"), expect: "'replacement' can not be set for uppercase action" },
  "labelmap bad replacement": { yaml: job("    relabel_configs:\n      - {regex: '(.*)', replacement: '-$1', action: labelmap}\n"), expect: `"-$1" is invalid 'replacement' for labelmap action` },
  "empty job name": { yaml: "scrape_configs:\n  - scrape_interval: 1m\n", expect: "job_name is empty" },
  "URL as static target": { yaml: job("    static_configs: [{targets: ['http://a:9100/metrics']}]\n"), expect: `"http://a:9100/metrics" is not a valid hostname` },
  "bad label name": { yaml: job("    static_configs: [{targets: ['a:1'], labels: {'0x': y}}]\n"), expect: `"0x" is not a valid label name` },
  "bad external label name": { yaml: "global:\n  external_labels: {'a-b': c}\n", expect: `"a-b" is not a valid label name` },
  "negative sample_limit": { yaml: job("    sample_limit: -1\n"), expect: "line 3: cannot unmarshal !!int `-1` into uint" },
  "bad bool": { yaml: job("    honor_labels: maybe\n"), expect: "line 3: cannot unmarshal !!str `maybe` into bool" },
  "bad byte unit": { yaml: job("    body_size_limit: 10kb\n"), expect: "units: unknown unit kb in 10kb" },
  "file_sd without files": { yaml: job("    file_sd_configs: [{files: []}]\n"), expect: "file service discovery config must contain at least one path name" },
  "file_sd bad extension": { yaml: job("    file_sd_configs: [{files: [targets.txt]}]\n"), expect: `path name "targets.txt" is not valid for file discovery` },
  "http_sd without url": { yaml: job("    http_sd_configs: [{refresh_interval: 1m}]\n"), expect: "URL is missing" },
  "http_sd bad scheme": { yaml: job("    http_sd_configs: [{url: 'ftp://sd/'}]\n"), expect: "URL scheme must be 'http' or 'https'" },
  "dns_sd without names": { yaml: job("    dns_sd_configs: [{type: SRV}]\n"), expect: "DNS-SD config must contain at least one SRV record name" },
  "dns_sd A without port": { yaml: job("    dns_sd_configs: [{names: [a], type: A}]\n"), expect: "a port is required in DNS-SD configs for all record types except SRV" },
  "dns_sd bad type": { yaml: job("    dns_sd_configs: [{names: [a], type: CNAME}]\n"), expect: "invalid DNS-SD records type CNAME" },
  "password and password_file": { yaml: job("    basic_auth: {username: u, password: p, password_file: secrets/password}\n"), expect: "at most one of basic_auth password & password_file must be configured" },
  "authorization type Basic": { yaml: job("    authorization: {type: Basic, credentials: c}\n"), expect: `authorization type cannot be set to "basic", use "basic_auth" instead` },
  "two auth methods": { yaml: job("    basic_auth: {username: u}\n    authorization: {credentials: c}\n"), expect: "at most one of basic_auth, oauth2 & authorization must be configured" },
  "bearer_token and bearer_token_file": { yaml: job("    bearer_token: a\n    bearer_token_file: secrets/token\n"), expect: "at most one of bearer_token & bearer_token_file must be configured" },
  "remote_write without url": { yaml: "remote_write:\n  - name: a\n", expect: "url for remote_write is empty" },
  "remote_write duplicate names": { yaml: "remote_write:\n  - {url: 'http://a/', name: a}\n  - {url: 'http://b/', name: a}\n", expect: 'found multiple remote write configs with job name "a"' },
  "remote_write Authorization header": { yaml: "remote_write:\n  - {url: 'http://a/', headers: {Authorization: x}}\n", expect: "authorization header must be changed via the basic_auth, authorization, oauth2, or sigv4 parameter" },
  "alertmanager api version": { yaml: "alerting:\n  alertmanagers:\n    - api_version: v3\n", expect: "expected Alertmanager api version to be one of [" },
  "invalid rule file path": { yaml: "rule_files: ['rules/*/x.yml']\n", expect: 'invalid rule file path "rules/*/x.yml"' },
  "null scrape config": { yaml: "scrape_configs:\n  - ~\n", expect: "empty or null scrape config section" },
  "YAML syntax error": { yaml: "scrape_configs:\n  - job_name: x\n bad: [\n", expect: "yaml: line " },
  "scrape_configs not a list": { yaml: "scrape_configs: {job_name: x}\n", expect: "line 1: cannot unmarshal !!map into []*config.ScrapeConfig" },
};
