import { describe, expect, it } from "vitest";
import { HISTORY_LIMIT, QueryHistory } from "../../src/web/client/query/history.js";

describe("query history", () => {
  it("keeps distinct expressions newest first, up to the limit", () => {
    const m = new Map<string, string>();
    const h = new QueryHistory({ getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) });
    h.add("up");
    h.add("rate(x[5m])");
    h.add(" up ");
    h.add("   ");
    expect(h.list()).toEqual(["up", "rate(x[5m])"]);
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) h.add(`q${i}`);
    expect(h.list()).toHaveLength(HISTORY_LIMIT);
    expect(h.list()[0]).toBe(`q${HISTORY_LIMIT + 4}`);
  });

  it("survives garbage in storage and storage that refuses writes", () => {
    const h = new QueryHistory({ getItem: () => "{not json", setItem: () => { throw new Error("QuotaExceededError"); } });
    expect(h.list()).toEqual([]);
    expect(h.add("up")).toEqual(["up"]);
  });
});
