import { describe, expect, it } from "vitest";
import { labelsToRecord } from "../../src/model/labels.js";
import { PartialRefreshError } from "../../src/discovery/discoverer.js";
import { DNSDiscoverer, formatIP, validateDNSSDConfig } from "../../src/discovery/dns.js";
import { fakeFetch, json } from "./fakes.js";

type Zone = Record<string, { Status: number; Answer?: { name: string; type: number; TTL: number; data: string }[] }>;

/** A DoH JSON endpoint answering from a zone keyed "name/TYPE". */
function doh(zone: Zone) {
  return fakeFetch((url) => {
    const key = `${url.searchParams.get("name")}/${url.searchParams.get("type")}`;
    const msg = zone[key];
    if (msg === undefined) return new Response("no such test record " + key, { status: 500 });
    return json(msg, 200, "application/dns-json");
  });
}

const SRV_ZONE: Zone = {
  "_node._tcp.example.com/SRV": {
    Status: 0,
    Answer: [
      { name: "_node._tcp.example.com", type: 33, TTL: 60, data: "10 5 9100 node1.example.com." },
      { name: "_node._tcp.example.com", type: 33, TTL: 60, data: "10 5 9101 node2.example.com." },
    ],
  },
};

describe("dns_sd over DNS-over-HTTPS", () => {
  it("queries the DoH endpoint with the JSON API and maps SRV answers like Prometheus", async () => {
    const { fetch, calls } = doh(SRV_ZONE);
    const d = new DNSDiscoverer({ names: ["_node._tcp.example.com"] }, { fetch });
    const groups = await d.refresh();
    expect(calls).toEqual([
      { url: "https://cloudflare-dns.com/dns-query?name=_node._tcp.example.com&type=SRV", headers: { accept: "application/dns-json" } },
    ]);
    expect(groups.length).toBe(1);
    expect(groups[0]!.source).toBe("_node._tcp.example.com");
    expect(groups[0]!.labels).toEqual([]);
    expect(groups[0]!.targets.map(labelsToRecord)).toEqual([
      {
        __address__: "node1.example.com:9100",
        __meta_dns_name: "_node._tcp.example.com",
        __meta_dns_srv_record_target: "node1.example.com.",
        __meta_dns_srv_record_port: "9100",
      },
      {
        __address__: "node2.example.com:9101",
        __meta_dns_name: "_node._tcp.example.com",
        __meta_dns_srv_record_target: "node2.example.com.",
        __meta_dns_srv_record_port: "9101",
      },
    ]);
    expect(d.refreshIntervalMs).toBe(30_000);
  });

  it("uses the configured port for A and AAAA answers and skips CNAMEs", async () => {
    const { fetch, calls } = doh({
      "www.example.com/A": {
        Status: 0,
        Answer: [
          { name: "www.example.com", type: 5, TTL: 60, data: "web.example.com." },
          { name: "web.example.com", type: 1, TTL: 60, data: "192.0.2.10" },
          { name: "web.example.com", type: 1, TTL: 60, data: "192.0.2.11" },
        ],
      },
      "v6.example.com/AAAA": {
        Status: 0,
        Answer: [
          { name: "v6.example.com", type: 28, TTL: 60, data: "2001:0db8:0000:0000:0000:0000:0000:0001" },
          { name: "v6.example.com", type: 28, TTL: 60, data: "::ffff:192.0.2.1" },
        ],
      },
    });
    const a = new DNSDiscoverer({ names: ["www.example.com"], type: "A", port: 9100 }, { fetch, endpoint: "https://doh.internal/resolve?ct=1" });
    expect((await a.refresh())[0]!.targets.map(labelsToRecord)).toEqual([
      { __address__: "192.0.2.10:9100", __meta_dns_name: "www.example.com" },
      { __address__: "192.0.2.11:9100", __meta_dns_name: "www.example.com" },
    ]);
    expect(calls[0]!.url).toBe("https://doh.internal/resolve?ct=1&name=www.example.com&type=A");
    const aaaa = new DNSDiscoverer({ names: ["v6.example.com"], type: "aaaa", port: 9100 }, { fetch });
    expect((await aaaa.refresh())[0]!.targets.map((t) => labelsToRecord(t)["__address__"])).toEqual(["[2001:db8::1]:9100", "192.0.2.1:9100"]);
  });

  it("maps MX and NS answers with their target labels", async () => {
    const { fetch } = doh({
      "example.com/MX": { Status: 0, Answer: [{ name: "example.com", type: 15, TTL: 60, data: "10 mail.example.com." }] },
      "example.com/NS": { Status: 0, Answer: [{ name: "example.com", type: 2, TTL: 60, data: "ns1.example.com." }] },
    });
    const mx = await new DNSDiscoverer({ names: ["example.com"], type: "MX", port: 25 }, { fetch }).refresh();
    expect(mx[0]!.targets.map(labelsToRecord)).toEqual([
      { __address__: "mail.example.com:25", __meta_dns_name: "example.com", __meta_dns_mx_record_target: "mail.example.com." },
    ]);
    const ns = await new DNSDiscoverer({ names: ["example.com"], type: "NS", port: 53 }, { fetch }).refresh();
    expect(ns[0]!.targets.map(labelsToRecord)).toEqual([
      { __address__: "ns1.example.com:53", __meta_dns_name: "example.com", __meta_dns_ns_record_target: "ns1.example.com." },
    ]);
  });

  it("treats NXDOMAIN and an empty answer as no targets", async () => {
    const { fetch } = doh({ "gone.example.com/SRV": { Status: 3 }, "empty.example.com/SRV": { Status: 0 } });
    const groups = await new DNSDiscoverer({ names: ["gone.example.com", "empty.example.com"] }, { fetch }).refresh();
    expect(groups).toEqual([
      { source: "gone.example.com", targets: [], labels: [] },
      { source: "empty.example.com", targets: [], labels: [] },
    ]);
  });

  it("keeps the last good group of a name whose lookup fails, per name", async () => {
    const zone: Zone = { ...SRV_ZONE, "_other._tcp.example.com/SRV": { Status: 0, Answer: [{ name: "x", type: 33, TTL: 1, data: "0 0 80 other." }] } };
    const { fetch } = doh(zone);
    const d = new DNSDiscoverer({ names: ["_node._tcp.example.com", "_other._tcp.example.com"] }, { fetch });
    expect((await d.refresh()).map((g) => g.targets.length)).toEqual([2, 1]);

    zone["_node._tcp.example.com/SRV"] = { Status: 2 };
    zone["_other._tcp.example.com/SRV"] = { Status: 0, Answer: [] };
    let err: unknown;
    try {
      await d.refresh();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PartialRefreshError);
    const p = err as PartialRefreshError;
    expect(p.message).toBe('DNS query for "_node._tcp.example.com" failed: SERVFAIL');
    expect(p.groups.map((g) => [g.source, g.targets.length])).toEqual([
      ["_node._tcp.example.com", 2],
      ["_other._tcp.example.com", 0],
    ]);
  });

  it("reports HTTP failures and unreadable answers as errors", async () => {
    const cases: [Response, RegExp][] = [
      [new Response("", { status: 502, statusText: "Bad Gateway" }), /HTTP status 502 Bad Gateway/],
      [json("not json", 200, "application/dns-json"), /invalid JSON answer/],
      [json({ Answer: [] }, 200, "application/dns-json"), /answer has no Status/],
    ];
    for (const [res, err] of cases) {
      const { fetch } = fakeFetch(() => res);
      const d = new DNSDiscoverer({ names: ["a.example.com"] }, { fetch });
      await expect(d.refresh()).rejects.toThrow(err);
    }
  });

  it("skips records it cannot read", async () => {
    const { fetch } = doh({
      "s.example.com/SRV": {
        Status: 0,
        Answer: [
          { name: "s", type: 33, TTL: 1, data: "10 5 notaport x." },
          { name: "s", type: 46, TTL: 1, data: "SRV 13 3 60 ..." },
          { name: "s", type: 33, TTL: 1, data: "1 1 8080 ok.example.com" },
        ],
      },
    });
    const g = await new DNSDiscoverer({ names: ["s.example.com"] }, { fetch }).refresh();
    expect(g[0]!.targets.map((t) => labelsToRecord(t)["__address__"])).toEqual(["ok.example.com:8080"]);
  });

  it("validates configs like Prometheus", () => {
    expect(() => validateDNSSDConfig({ names: [] })).toThrow("DNS-SD config must contain at least one SRV record name");
    expect(() => validateDNSSDConfig({ names: ["a"], type: "A" })).toThrow("a port is required in DNS-SD configs for all record types except SRV");
    expect(() => validateDNSSDConfig({ names: ["a"], type: "TXT" })).toThrow("invalid DNS-SD records type TXT");
    expect(validateDNSSDConfig({ names: ["a"] })).toBe("SRV");
    expect(validateDNSSDConfig({ names: ["a"], type: "mx", port: 25 })).toBe("MX");
  });
});

describe("formatIP (Go's net.IP.String)", () => {
  it("formats addresses canonically", () => {
    expect(formatIP("192.0.2.1")).toBe("192.0.2.1");
    expect(formatIP("2001:DB8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(formatIP("2001:db8:0:0:0:0:2:1")).toBe("2001:db8::2:1");
    expect(formatIP("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(formatIP("0:0:0:0:0:0:0:0")).toBe("::");
    expect(formatIP("::1")).toBe("::1");
    expect(formatIP("fe80::")).toBe("fe80::");
    expect(formatIP("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(formatIP("64:ff9b::192.0.2.33")).toBe("64:ff9b::c000:221");
  });

  it("rejects what is not an address", () => {
    for (const bad of ["", "1.2.3", "256.1.1.1", "01.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "example.com", "1:2:3:4:5:6:7:8::"]) {
      expect(formatIP(bad), bad).toBeNull();
    }
  });
});
