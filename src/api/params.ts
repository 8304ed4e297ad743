import type { Context } from "hono";
import type { Matcher } from "../model/matchers.js";
import { parseTime, TimeParseError } from "../model/time.js";
import { ParseError } from "../promql/parser/errors.js";
import { parseSeriesSelector } from "../promql/parser/selector.js";
import { ApiError } from "./responses.js";

/** Reads API parameters from the query string and, for POST, a form body, the way
 * Prometheus' r.FormValue/r.Form does (both sources merged). */
export class Params {
  private constructor(private readonly values: Map<string, string[]>) {}

  static async from(c: Context): Promise<Params> {
    const values = new Map<string, string[]>();
    const url = new URL(c.req.url);
    for (const [k, v] of url.searchParams) push(values, k, v);
    const ct = c.req.header("content-type") ?? "";
    if (c.req.method === "POST" && ct.includes("application/x-www-form-urlencoded")) {
      const body = new URLSearchParams(await c.req.text());
      for (const [k, v] of body) push(values, k, v);
    }
    return new Params(values);
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  time(name: string, dflt: number): number {
    const v = this.get(name);
    if (v === undefined || v === "") return dflt;
    try {
      return parseTime(v);
    } catch (e) {
      if (e instanceof TimeParseError) throw new ApiError("bad_data", `invalid parameter "${name}": ${e.message}`);
      throw e;
    }
  }

  /** Each `match[]` parsed to matchers; `required` reproduces Prometheus' error. */
  matchers(required: boolean): Matcher[][] {
    const raw = this.all("match[]");
    if (required && raw.length === 0) throw new ApiError("bad_data", "no match[] parameter provided");
    return raw.map((s) => {
      try {
        return parseSeriesSelector(s);
      } catch (e) {
        if (e instanceof ParseError) throw new ApiError("bad_data", e.message);
        throw e;
      }
    });
  }

  limit(): number {
    const v = this.get("limit");
    if (v === undefined || v === "") return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new ApiError("bad_data", "limit must be a non-negative integer");
    return n;
  }
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [v]);
  else l.push(v);
}
