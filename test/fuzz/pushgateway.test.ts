import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Gateway, type GroupPersistence } from "../../src/pushgateway/gateway.js";
import { groupingKeyFor } from "../../src/pushgateway/grouping_key.js";
import { gatewayApp } from "../../src/pushgateway/http_api.js";
import type { MetricGroup } from "../../src/pushgateway/metric_store.js";
import { DTO_TYPES, newDtoMetric, type DtoFamily, type DtoMetric, type DtoValueKind } from "../../src/textparse/dto.js";
import { decodeDelimitedFamilies, DELIMITED_PROTOBUF_TYPE, encodeDelimitedFamilies } from "../../src/textparse/dto_protobuf.js";
import { parseExposition, ParseError } from "../../src/textparse/index.js";
import { fuzzAsync, fuzzTimeout } from "./fuzz_options.js";

/** Fuzzing the Pushgateway API, which any batch job may reach: paths and bodies of
 * every shape get 200/202 or a 400/404/413 with a text message, never a 500; a refused
 * push changes nothing but its group's push_failure_time_seconds; what the gateway
 * exposes always parses, so one bad push can never break the tier's scrape of it; and
 * what is persisted is exactly what is held. */

function fail(msg: string): never {
  throw new Error(msg);
}

const MAX_BODY = 16 * 1024;
const ALLOWED = new Set([200, 202, 400, 404, 413]);

/** The real gateway logic over a Map instead of SQLite. */
class MapPersistence implements GroupPersistence {
  readonly groups = new Map<string, MetricGroup>();
  save(group: MetricGroup): void {
    this.groups.set(group.key, group);
  }
  remove(key: string): void {
    this.groups.delete(key);
  }
}

function newGateway() {
  const persistence = new MapPersistence();
  let clock = 1_700_000_000_000;
  const gw = new Gateway(persistence, "test", () => (clock += 1000));
  return { persistence, gw, app: gatewayApp(gw, { maxBodyBytes: MAX_BODY, adminApi: true }) };
}

// ---- paths -------------------------------------------------------------------------

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const segment = fc.oneof(
  fc.constantFrom("j", "backup", "db1", "instance", "a", "le", "__x", "1x", "x-y", "é", "%2F", "%2f", "%zz", "%", "%E2%82%AC", "%C3", "..", ".", "", "a%20b", "=", "=="),
  fc.string({ maxLength: 6 }).map(encodeURIComponent),
  fc.string({ maxLength: 6 }).map((s) => `${b64(s)}`),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const labelPart = fc.oneof(
  fc.tuple(fc.constantFrom("instance", "a", "le", "job", "x_1", "__x", "1a", "a-b", "", "a@base64"), segment).map(([n, v]) => `${n}/${v}`),
  fc.tuple(fc.constantFrom("instance", "a", "le"), fc.string({ maxLength: 6 })).map(([n, v]) => `${n}@base64/${b64(v) || "="}`),
  fc.constantFrom("instance@base64/!!!", "a@base64/A", "odd"),
);
const validPath = fc
  .tuple(
    fc.constantFrom("j", "batch", "db"),
    fc.array(
      fc.oneof(
        fc.tuple(fc.constantFrom("instance", "a", "x_1"), fc.string({ minLength: 1, maxLength: 6 })).map(([n, v]) => `${n}/${encodeURIComponent(v)}`),
        fc.tuple(fc.constantFrom("instance", "a"), fc.string({ maxLength: 6 })).map(([n, v]) => `${n}@base64/${b64(v) || "="}`),
      ),
      { maxLength: 2 },
    ),
  )
  .map(([job, ls]) => ["/pushgateway/metrics/job", job, ...ls].join("/"));
const pushPath = fc.oneof(
  { weight: 8, arbitrary: validPath },
  { weight: 4, arbitrary: fc.tuple(fc.oneof(segment, fc.constantFrom("j", "batch")), fc.array(labelPart, { maxLength: 3 })).map(([job, ls]) => ["/pushgateway/metrics/job", job, ...ls].join("/")) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 6 }), fc.array(labelPart, { maxLength: 2 })).map(([job, ls]) => ["/pushgateway/metrics/job@base64", b64(job) || "=", ...ls].join("/")) },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 5 }).map((ss) => "/pushgateway/" + ss.join("/")) },
  { weight: 1, arbitrary: fc.constantFrom("/pushgateway/metrics/job/", "/pushgateway/metrics/job//a/b", "/pushgateway/metrics/job/j/", "/pushgateway/metrics/job@base64/", "/pushgateway/metrics") },
);

// ---- bodies ------------------------------------------------------------------------

const metricName = fc.constantFrom("m", "x_total", "req_seconds", "req_seconds_count", "req_seconds_sum", "req_seconds_bucket", "push_time_seconds", "pushgateway_build_info", "pushgateway_http_requests_total", "up", "a:b");
const textLabels = fc
  .array(fc.tuple(fc.constantFrom("instance", "job", "a", "le", "quantile", "b"), fc.constantFrom("", "1", "i", "0.5", "+Inf", 'q"\\n')), { maxLength: 3 })
  .map((ls) => (ls.length === 0 ? "" : `{${ls.map(([n, v]) => `${n}="${v}"`).join(",")}}`));
const textLine = fc.oneof(
  fc.tuple(metricName, textLabels, fc.constantFrom("1", "0", "NaN", "+Inf", "-1.5e3"), fc.constantFrom("", "", "", " 1700000000000")).map(([n, l, v, t]) => `${n}${l} ${v}${t}`),
  fc.tuple(metricName, fc.constantFrom("counter", "gauge", "summary", "histogram", "untyped", "bogus")).map(([n, t]) => `# TYPE ${n} ${t}`),
  fc.tuple(metricName, fc.string({ maxLength: 10 })).map(([n, h]) => `# HELP ${n} ${h.replace(/\n/g, " ")}`),
);
const textBody = fc
  .tuple(fc.array(textLine, { maxLength: 8 }), fc.array(fc.record({ at: fc.nat(), text: fc.constantFrom("{", "}", '"', "\\", "\n", " ", "#", "\u0000", "é") }), { maxLength: 2 }))
  .map(([lines, edits]) => {
    let s = lines.join("\n") + "\n";
    for (const e of edits) {
      const at = e.at % (s.length + 1);
      s = s.slice(0, at) + e.text + s.slice(at);
    }
    return new TextEncoder().encode(s);
  });

const KINDS: DtoValueKind[] = ["counter", "gauge", "untyped", "summary", "histogram", "none"];
const dtoMetric: fc.Arbitrary<DtoMetric> = fc
  .record({
    labels: fc.array(fc.record({ name: fc.constantFrom("instance", "job", "a", "", "__x", "a-b", "quantile", "le", "é"), value: fc.string({ maxLength: 4 }) }), { maxLength: 3 }),
    kind: fc.constantFrom(...KINDS),
    value: fc.double(),
    count: fc.nat(),
    sum: fc.double(),
    quantiles: fc.array(fc.record({ quantile: fc.double(), value: fc.double() }), { maxLength: 2 }),
    buckets: fc.array(fc.record({ upperBound: fc.double(), cumulativeCount: fc.nat() }), { maxLength: 2 }),
    ts: fc.option(fc.integer({ min: 0, max: 2e12 }), { nil: undefined, freq: 8 }),
  })
  .map((r) => {
    const m = newDtoMetric(r.labels, r.kind);
    m.value = r.value;
    m.sampleCount = r.count;
    m.sampleSum = r.sum;
    if (r.kind === "summary") m.quantiles = r.quantiles;
    if (r.kind === "histogram") m.buckets = r.buckets;
    m.timestampMs = r.ts;
    return m;
  });
const KIND_OF_TYPE: Record<string, DtoValueKind> = { COUNTER: "counter", GAUGE: "gauge", SUMMARY: "summary", UNTYPED: "untyped", HISTOGRAM: "histogram" };
/** Families whose metrics mostly carry the value their type asks for, so that the
 * consistency rules let many through and what is stored gets exercised. */
const dtoFamily: fc.Arbitrary<DtoFamily> = fc
  .record({
    name: fc.oneof(metricName, fc.constantFrom("", "1x", "a-b", "é", "a b", "x{y}", "a\nb", "__name__")),
    help: fc.string({ maxLength: 8 }),
    type: fc.constantFrom(...DTO_TYPES),
    metrics: fc.array(fc.tuple(dtoMetric, fc.nat({ max: 5 }), fc.nat({ max: 5 })), { maxLength: 3 }),
  })
  .map(({ metrics, ...f }) => ({
    ...f,
    metrics: metrics.map(([m, fit, plain]) => {
      if (fit > 0) m.kind = KIND_OF_TYPE[f.type] ?? m.kind;
      if (plain > 0) {
        m.timestampMs = undefined;
        m.labels = m.labels.filter((l) => /^[a-z]+$/.test(l.name) && l.name !== "quantile" && l.name !== "le");
      }
      return m;
    }),
  }));
const protoBody = fc
  .tuple(fc.array(dtoFamily, { maxLength: 3 }), fc.array(fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }) }), { maxLength: 2 }), fc.nat())
  .map(([fams, flips, cut]) => {
    let b = encodeDelimitedFamilies(fams);
    for (const f of flips) if (b.length > 0) b[f.at % b.length] = f.byte;
    if (flips.length > 0 && cut % 3 === 0) b = b.slice(0, cut % (b.length + 1));
    return b;
  });

/** A body, mostly with the content type that fits it, as clients send them. */
const content: fc.Arbitrary<[Uint8Array, string | undefined]> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(textBody, fc.constantFrom(undefined, "text/plain; version=0.0.4")) },
  { weight: 4, arbitrary: fc.tuple(protoBody, fc.constant(DELIMITED_PROTOBUF_TYPE)) },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(textBody, protoBody, fc.uint8Array({ maxLength: 64 })), fc.constantFrom(undefined, DELIMITED_PROTOBUF_TYPE, "application/vnd.google.protobuf", "application/json")) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.integer({ min: MAX_BODY - 4, max: MAX_BODY + 4 }).map((n) => new TextEncoder().encode("m 1\n".repeat(Math.ceil(n / 4)).slice(0, n))),
      fc.constant(undefined),
    ),
  },
  // Megabytes of one byte: a gzip bomb when gzipped, past the limit either way.
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1 << 20, max: 4 << 20 }).map((n) => new Uint8Array(n).fill(48)), fc.constant(undefined)) },
);

type Push = { method: string; path: string; body: Uint8Array | null; type: string | undefined; gzip: boolean };
const push: fc.Arbitrary<Push> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        method: fc.constantFrom("PUT", "POST", "PUT", "POST", "DELETE"),
        path: pushPath,
        content,
        gzip: fc.boolean(),
      })
      .map(({ content: [body, type], ...r }) => ({ ...r, body, type })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constantFrom("GET", "PATCH", "OPTIONS", "HEAD"),
      path: fc.oneof(pushPath, fc.constantFrom("/pushgateway/api/v1/metrics", "/pushgateway/api/v1/status", "/pushgateway/metrics", "/pushgateway/-/healthy", "/pushgateway/api/v1/admin/wipe", "/pushgateway/nope")),
      body: fc.constant(null),
      type: fc.constant(undefined),
      gzip: fc.constant(false),
    }),
  },
);

// ---- checks ------------------------------------------------------------------------

async function send(app: ReturnType<typeof newGateway>["app"], p: Push): Promise<Response> {
  const headers: Record<string, string> = {};
  if (p.type !== undefined) headers["content-type"] = p.type;
  let body: Uint8Array | null = p.body;
  if (body !== null && p.gzip && !(p.method === "GET" || p.method === "HEAD")) {
    body = gzipSync(body);
    headers["content-encoding"] = "gzip";
  }
  const init: RequestInit = { method: p.method, headers };
  if (body !== null && p.method !== "GET" && p.method !== "HEAD") init.body = body;
  let url: string;
  try {
    url = new URL(p.path, "http://gateway").href;
  } catch {
    url = "http://gateway/pushgateway/metrics/job/j";
  }
  return app.request(url, init);
}

/** /api/v1/metrics without what a refused push may change: the failure time, and the
 * last-push flag that follows from it; a group the refusal created holds nothing else. */
async function state(app: ReturnType<typeof newGateway>["app"]): Promise<string> {
  const res = await app.request("http://gateway/pushgateway/api/v1/metrics");
  expect(res.status).toBe(200);
  const groups = (JSON.parse(await res.text()) as { data: Record<string, unknown>[] }).data;
  const kept = groups
    .map((g) => {
      const { push_failure_time_seconds: _f, last_push_successful: _l, ...rest } = g;
      return rest;
    })
    .filter((g) => {
      const fams = Object.keys(g).filter((k) => k !== "labels");
      const pt = g["push_time_seconds"] as { metrics?: { value?: string }[] } | undefined;
      return !(fams.length === 1 && pt?.metrics?.[0]?.value === "0");
    });
  return JSON.stringify(kept);
}

async function checkExposition(app: ReturnType<typeof newGateway>["app"]): Promise<void> {
  const res = await app.request("http://gateway/pushgateway/metrics");
  const text = await res.text();
  if (res.status !== 200) fail(`the gateway's /metrics answered ${res.status}: ${text}`);
  try {
    parseExposition(text, "text");
  } catch (e) {
    if (e instanceof ParseError) fail(`the gateway's /metrics does not parse (${e.message}):\n${text.split("\n")[e.line - 1]}`);
    throw e;
  }
  const proto = await app.request("http://gateway/pushgateway/metrics", { headers: { accept: DELIMITED_PROTOBUF_TYPE } });
  decodeDelimitedFamilies(new Uint8Array(await proto.arrayBuffer()));
}

function checkPersisted(gw: Gateway, persistence: MapPersistence): void {
  const held = [...gw.store.groups()].map((g) => g.key).sort();
  const saved = [...persistence.groups.keys()].sort();
  if (JSON.stringify(held) !== JSON.stringify(saved)) fail(`persisted groups ${JSON.stringify(saved)} differ from held ${JSON.stringify(held)}`);
  for (const g of gw.store.groups()) if (g.key !== groupingKeyFor(g.labels)) fail(`group keyed ${JSON.stringify(g.key)} holds labels ${JSON.stringify(g.labels)}`);
}

describe("fuzzing the Pushgateway API", () => {
  it("answers any sequence of requests with 200/202 or a 4xx and a message, refusals change nothing, /metrics always parses", async () => {
    let accepted = 0;
    let refused = 0;
    await fuzzAsync(
      fc.asyncProperty(fc.array(push, { minLength: 1, maxLength: 6 }), async (pushes) => {
        const { gw, app, persistence } = newGateway();
        for (const p of pushes) {
          const before = await state(app);
          const res = await send(app, p);
          const body = await res.text();
          const what = `${p.method} ${p.path} -> ${res.status} ${JSON.stringify(body.slice(0, 300))}`;
          if (!ALLOWED.has(res.status) && !(p.method === "OPTIONS" && res.status === 200)) fail(`unexpected status: ${what}`);
          if (res.status >= 400) {
            // A HEAD answer has no body by definition.
            if (body.trim() === "" && p.method !== "HEAD") fail(`a ${res.status} without a message: ${what}`);
            if (!(res.headers.get("content-type") ?? "").startsWith("text/plain")) fail(`a ${res.status} that is not text: ${what}`);
            if (p.method === "PUT" || p.method === "POST" || p.method === "DELETE") {
              refused++;
              const after = await state(app);
              if (after !== before) fail(`a refused push changed the store: ${what}\nbefore ${before}\nafter  ${after}`);
            }
          } else if (p.method === "PUT" || p.method === "POST") accepted++;
          await checkExposition(app);
          checkPersisted(gw, persistence);
        }
      }),
      20,
    );
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, fuzzTimeout());

  it("keeps a group pushed whole with PUT exactly as sent, grouping labels applied", async () => {
    const family = fc.record({
      name: fc.constantFrom("a", "b_total", "c"),
      value: fc.double({ noNaN: true }),
      labels: fc.dictionary(fc.constantFrom("x", "y", "z"), fc.string({ minLength: 1, maxLength: 4 }), { maxKeys: 2 }),
    });
    await fuzzAsync(
      fc.asyncProperty(fc.uniqueArray(family, { selector: (f) => f.name, minLength: 1, maxLength: 3 }), fc.string({ minLength: 1, maxLength: 6 }), async (fams, job) => {
        const { app } = newGateway();
        const body = encodeDelimitedFamilies(
          fams.map((f) => {
            const m = newDtoMetric(Object.entries(f.labels).map(([name, value]) => ({ name, value })), "gauge");
            m.value = f.value;
            return { name: f.name, help: "", type: "GAUGE", metrics: [m] };
          }),
        );
        const res = await app.request(`http://gateway/pushgateway/metrics/job@base64/${b64(job) || "="}`, { method: "PUT", body, headers: { "content-type": DELIMITED_PROTOBUF_TYPE } });
        expect(res.status).toBe(200);
        const got = decodeDelimitedFamilies(new Uint8Array(await (await app.request("http://gateway/pushgateway/metrics", { headers: { accept: DELIMITED_PROTOBUF_TYPE } })).arrayBuffer()));
        for (const f of fams) {
          const stored = got.find((g) => g.name === f.name);
          expect(stored?.metrics.map((m) => m.value)).toEqual([f.value]);
          const labels = Object.fromEntries(stored!.metrics[0]!.labels.map((l) => [l.name, l.value]));
          expect(labels).toEqual({ ...f.labels, job, instance: "" });
        }
      }),
      25,
    );
  }, fuzzTimeout());
});
