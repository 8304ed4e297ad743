import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { DiscoveryManager } from "../../src/discovery/manager.js";
import { labelsToRecord } from "../../src/model/labels.js";
import { discoveryConfigFor } from "../../src/discovery/sd_config.js";
import { AlertmanagerSet } from "../../src/notifier/alertmanager_set.js";

/** An HTTP SD endpoint that answers only the credentials it was given. */
let server: Server;
let base = "";
const seen: (string | undefined)[] = [];
const ACCEPTED = new Set(["Basic " + Buffer.from("sd:pa55").toString("base64"), "Bearer from-file", "Bearer inline-token"]);

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.url === "/elsewhere") {
      res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/targets` }).end();
      return;
    }
    if (!ACCEPTED.has(req.headers.authorization ?? "")) {
      res.writeHead(401, { "www-authenticate": "Basic" }).end("unauthorized");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([{ targets: ["node:9100"] }]));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function discover(auth: string, files: Record<string, string> = {}, path = "/targets") {
  const cfg = parseConfig(`scrape_configs:\n  - job_name: sd\n    http_sd_configs:\n      - url: ${base}${path}\n${auth}`);
  const sc = cfg.scrapeConfigs[0]!;
  const [st] = await DiscoveryManager.forScrapeConfig(discoveryConfigFor(sc, async (k) => files[k] ?? null), { fetch: (u, init) => fetch(u, init) }).refresh({ force: true });
  return st!;
}

describe("http_sd_configs credentials", () => {
  it("sends basic_auth to the SD endpoint", async () => {
    const st = await discover("        basic_auth: {username: sd, password: pa55}\n");
    expect(st.error).toBeUndefined();
    expect(st.groups[0]!.targets.map(labelsToRecord)).toEqual([{ __address__: "node:9100" }]);
  });

  it("sends authorization credentials, inline and from a credentials_file KV key", async () => {
    expect((await discover("        authorization: {credentials: inline-token}\n")).error).toBeUndefined();
    const st = await discover("        authorization: {credentials_file: ./secrets/sd-token}\n", { "secrets/sd-token": "from-file\n" });
    expect(st.error).toBeUndefined();
    expect(st.groups).toHaveLength(1);
  });

  it("fails with the endpoint's answer when the credentials are wrong", async () => {
    const st = await discover("        basic_auth: {username: sd, password: wrong}\n");
    expect(st.error).toBe("server returned HTTP status 401 Unauthorized");
  });

  it("does not send the credentials past a redirect to another host", async () => {
    seen.length = 0;
    const st = await discover("        basic_auth: {username: sd, password: pa55}\n", {}, "/elsewhere");
    expect(seen).toEqual(["Basic " + Buffer.from("sd:pa55").toString("base64"), undefined]);
    expect(st.error).toBe("server returned HTTP status 401 Unauthorized");
  });

  it("sends an Alertmanager entry's credentials from a password_file key, read again on each refresh", async () => {
    const cfg = parseConfig(
      `alerting:\n  alertmanagers:\n    - http_sd_configs:\n        - url: ${base}/targets\n          basic_auth: {username: sd, password_file: secrets/am}\n`,
    );
    const files: Record<string, string> = { "secrets/am": "wrong" };
    const set = new AlertmanagerSet(cfg.alerting.alertmanagers[0]!, { fetch: (u, init) => fetch(u, init), read: async (k) => files[k] ?? null });
    expect((await set.refresh(true)).join("\n")).toContain("401 Unauthorized");
    files["secrets/am"] = "pa55\n";
    seen.length = 0;
    await set.refresh(true);
    expect(seen).toEqual(["Basic " + Buffer.from("sd:pa55").toString("base64")]);
    expect(set.errors).toEqual([]);
  });
});
