import bcrypt from "bcryptjs";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { dummyHashFor, webAuth, type WebAuthSettings } from "../../src/workers/web_auth.js";

function app(settings: WebAuthSettings) {
  let served = 0;
  const a = new Hono();
  a.use("*", webAuth(settings));
  a.get("/api/v1/query", (c) => {
    served++;
    return c.text("ok");
  });
  return { a, served: () => served };
}

const basic = (user: string, password: string) => "Basic " + btoa(`${user}:${password}`);
// Cost 4 keeps the test fast; Prometheus accepts any bcrypt cost.
const webConfig = `basic_auth_users:\n  alice: ${bcrypt.hashSync("wonderland", 4)}\n`;

describe("read access control (web config)", () => {
  it("leaves reads open when nothing is configured", async () => {
    const { a } = app({});
    expect((await a.request("/api/v1/query")).status).toBe(200);
  });

  it("needs valid basic auth when WEB_CONFIG lists users, and asks the browser for it", async () => {
    const { a, served } = app({ WEB_CONFIG: webConfig });
    const no = await a.request("/api/v1/query");
    expect(no.status).toBe(401);
    expect(no.headers.get("www-authenticate")).toBe('Basic realm="edgeprom"');
    for (const h of [basic("alice", "wrong"), basic("bob", "wonderland"), "Basic !!notbase64", "Bearer x"]) {
      expect((await a.request("/api/v1/query", { headers: { authorization: h } })).status).toBe(401);
    }
    expect(served()).toBe(0);
    expect((await a.request("/api/v1/query", { headers: { authorization: basic("alice", "wonderland") } })).status).toBe(200);
    // Remembered: the second request does not pay for bcrypt again, and still passes.
    expect((await a.request("/api/v1/query", { headers: { authorization: basic("alice", "wonderland") } })).status).toBe(200);
    expect(served()).toBe(2);
  });

  it("takes the read token, and the write token as read access too", async () => {
    const { a } = app({ READ_TOKEN: "r3ad", WRITE_TOKEN: "wr1te" });
    expect((await a.request("/api/v1/query")).status).toBe(401);
    expect((await a.request("/api/v1/query", { headers: { authorization: "Bearer r3ad" } })).status).toBe(200);
    expect((await a.request("/api/v1/query", { headers: { authorization: "Bearer wr1te" } })).status).toBe(200);
    expect((await a.request("/api/v1/query", { headers: { authorization: "Bearer r3ad2" } })).status).toBe(401);
  });

  it("locks everything when WEB_CONFIG cannot be read, instead of opening it", async () => {
    const { a, served } = app({ WEB_CONFIG: "basic_auth_users: [not, a, map]\n" });
    const r = await a.request("/api/v1/query", { headers: { authorization: basic("alice", "wonderland") } });
    expect(r.status).toBe(500);
    expect(await r.text()).toMatch(/^invalid WEB_CONFIG: /);
    expect(served()).toBe(0);
    expect((await app({ WEB_CONFIG: "basic_auth_user: {}\n" }).a.request("/api/v1/query")).status).toBe(500);
  });
});

describe("basic auth timing for unknown user names", () => {
  it("runs a bcrypt comparison at the users' cost for a name that does not exist", async () => {
    const calls: { password: string; hash: string; result: boolean }[] = [];
    const spy = async (password: string, hash: string) => {
      const result = await bcrypt.compare(password, hash);
      calls.push({ password, hash, result });
      return result;
    };
    const aliceHash = bcrypt.hashSync("wonderland", 5);
    const a = new Hono();
    a.use("*", webAuth({ WEB_CONFIG: `basic_auth_users:\n  alice: ${aliceHash}\n` }, spy));
    a.get("/", (c) => c.text("ok"));
    expect((await a.request("/", { headers: { authorization: basic("mallory", "wonderland") } })).status).toBe(401);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.hash).not.toBe(aliceHash);
    expect(bcrypt.getRounds(calls[0]!.hash)).toBe(bcrypt.getRounds(aliceHash));
    expect(calls[0]!.result).toBe(false);
    expect((await a.request("/", { headers: { authorization: basic("alice", "nope") } })).status).toBe(401);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.hash).toBe(aliceHash);
  });

  it("takes the highest cost among the users' hashes for the dummy", () => {
    expect(bcrypt.getRounds(dummyHashFor([bcrypt.hashSync("a", 4), bcrypt.hashSync("b", 6)]))).toBe(6);
    expect(bcrypt.getRounds(dummyHashFor(["not a hash"]))).toBe(10);
    // The dummy is a well-formed hash no password matches.
    expect(bcrypt.compareSync("", dummyHashFor([]))).toBe(false);
  });
});
