import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { addressPort, configWarnings, customHttpsPort } from "../../src/config/warnings.js";

describe("configWarnings", () => {
  it("warns for https targets on custom ports, and only those", () => {
    const c = parseConfig(`
scrape_configs:
  - job_name: tls
    scheme: https
    static_configs:
      - targets: ['a.example:9100', 'b.example:443', 'c.example', '[::1]:8443']
  - job_name: plain
    static_configs:
      - targets: ['d.example:9100']
      - targets: ['e.example:9443']
        labels: {__scheme__: https}
  - job_name: sd
    http_sd_configs: [{url: 'https://sd.example:8443/targets'}]
remote_write:
  - url: https://rw.example:9090/api/v1/write
  - url: https://rw.example/api/v1/write
`);
    const w = configWarnings(c);
    expect(w.map((x) => x.path)).toEqual([
      "scrape_configs[0].static_configs[0].targets[0]",
      "scrape_configs[0].static_configs[0].targets[3]",
      "scrape_configs[1].static_configs[1].targets[0]",
      "scrape_configs[2].http_sd_configs[0].url",
      "remote_write[0].url",
    ]);
    expect(w[0]!.message).toMatch(/^scrape job "tls": target "a.example:9100" is https on port 9100: deployed Workers cannot reach it/);
  });

  it("warns about fields accepted but not acted on", () => {
    const c = parseConfig(`
scrape_configs:
  - job_name: x
    tls_config: {insecure_skip_verify: true}
    proxy_url: http://proxy:3128
`);
    expect(configWarnings(c).map((x) => x.path)).toEqual(["scrape_configs[0].tls_config.insecure_skip_verify", "scrape_configs[0].proxy_url"]);
  });

  it("parses ports", () => {
    expect(addressPort("a:1")).toBe(1);
    expect(addressPort("a")).toBeUndefined();
    expect(addressPort("[::1]:9")).toBe(9);
    expect(customHttpsPort("https://u:p@h:444/x")).toBe(444);
    expect(customHttpsPort("https://h:443/x")).toBeUndefined();
    expect(customHttpsPort("http://h:444/x")).toBeUndefined();
  });
});
