import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

async function query(expr: string): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch("http://region/api/v1/query", { method: "POST", body: new URLSearchParams({ query: expr, time: "1700000000" }) });
  return { status: res.status, body: await res.json() };
}

const chain = (n: number, op: string, term = "1") => Array(n).fill(term).join(op);

/** Shapes that nest rather than chain, n levels deep (or 2n: parentheses and an
 * operator per level, a function and a subquery per level). */
const NESTED: Record<string, (n: number) => string> = {
  parentheses: (n) => "(".repeat(n) + "1" + ")".repeat(n),
  "right-nested sums": (n) => "1+(".repeat(n) + "1" + ")".repeat(n),
  "a power chain (right-associative)": (n) => chain(n, "^"),
  "unary minus": (n) => "-".repeat(n) + "vector(1)",
  functions: (n) => "abs(".repeat(n) + "vector(1)" + ")".repeat(n),
  aggregations: (n) => "sum(".repeat(n) + "vector(1)" + ")".repeat(n),
  subqueries: (n) => "max_over_time(".repeat(n) + "vector(1)" + "[1m:])".repeat(n),
};

describe("very long expressions", () => {
  // Prometheus 2.42 answers these (checked with curl against it): 1+1+... with 5,000,
  // 10,000 and 20,000 terms gives 5000, 10000 and 20000.
  for (const n of [5_000, 10_000, 20_000]) {
    it(`answers 1+1+... with ${n} terms`, async () => {
      const r = await query(chain(n, "+"));
      expect(r.body).toEqual({ status: "success", data: { resultType: "scalar", result: [1700000000, String(n)] } });
      expect(r.status).toBe(200);
    }, 60_000);
  }

  it("answers a long chain over vectors and mixed operators", async () => {
    const v = await query(chain(5000, " + ", "vector(1)"));
    expect(v.body).toEqual({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1700000000, "5000"] }] } });
    const mixed = await query(chain(3000, " * 2 - ", "1") + " * 2");
    expect(mixed.body.status).toBe("success");
    expect(Number(mixed.body.data.result[1])).toBe(2 - 2 * 2999);
  }, 60_000);

  it("answers nesting within the limit and refuses deeper nesting with bad_data, never a 500", async () => {
    expect.assertions(Object.keys(NESTED).length * 5);
    for (const [name, f] of Object.entries(NESTED)) {
      const ok = await query(f(400));
      expect(ok.body.status, name).toBe("success");
      for (const n of [2_000, 5_000]) {
        const r = await query(f(n));
        expect(r.status, `${name} ${n}`).toBe(400);
        expect(r.body, `${name} ${n}`).toMatchObject({ status: "error", errorType: "bad_data", error: expect.stringMatching(/^invalid parameter "query": 1:1: parse error: expression is nested too deeply/) });
      }
    }
  }, 120_000);
});
