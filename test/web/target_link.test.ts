import { describe, expect, it } from "vitest";
import { PUSHGATEWAY_HOST as SCRAPED_HOST } from "../../src/scrape/pushgateway_job.js";
import { PUSHGATEWAY_HOST, targetLink } from "../../src/web/client/targets/target_link.js";

const target = (scrapeUrl: string, discoveredLabels: Record<string, string> = {}) => ({ scrapeUrl, globalUrl: scrapeUrl, discoveredLabels });

describe("the targets page's endpoint links", () => {
  it("knows the host the scheduler scrapes the Pushgateway at", () => {
    expect(PUSHGATEWAY_HOST).toBe(SCRAPED_HOST);
  });

  it("links the tier's Pushgateway to the tier's own public /pushgateway", () => {
    const l = targetLink(target(`http://${SCRAPED_HOST}/pushgateway/metrics`), "https://eu.example.com");
    expect(l).toEqual({ href: "https://eu.example.com/pushgateway/metrics", text: "https://eu.example.com/pushgateway/metrics", scrapedAs: `http://${SCRAPED_HOST}/pushgateway/metrics` });
  });

  it("links a region federated through a binding to its __ui_url__, keeping path and match[]", () => {
    const scrape = "http://local-a.edgeprom.internal/federate?match%5B%5D=%7Bjob%3D~%22.%2B%22%7D";
    const l = targetLink(target(scrape, { __ui_url__: "http://127.0.0.1:9091/" }), "http://127.0.0.1:9090");
    expect(l.href).toBe("http://127.0.0.1:9091/federate?match%5B%5D=%7Bjob%3D~%22.%2B%22%7D");
    expect(l.scrapedAs).toBe(scrape);
    expect(targetLink(target(scrape, { __ui_url__: "https://eu.example.com/prom/" }), "http://x").href).toBe("https://eu.example.com/prom/federate?match%5B%5D=%7Bjob%3D~%22.%2B%22%7D");
  });

  it("does not link an internal host nothing public serves, and links others as Prometheus does", () => {
    expect(targetLink(target("http://other.edgeprom.internal/metrics"), "http://127.0.0.1:9090").href).toBeNull();
    expect(targetLink(target("http://10.0.0.1:9100/metrics"), "http://127.0.0.1:9090")).toEqual({ href: "http://10.0.0.1:9100/metrics", text: "http://10.0.0.1:9100/metrics" });
  });
});
