import { describe, expect, it } from "vitest";
import { CommitGroup } from "../../src/storage/commit_group.js";

/** A group over a `send` that records each request's items and answers each item
 * with itself, or an Error for items named "bad". */
function group(waitMs = 60_000) {
  const requests: string[][] = [];
  const g = new CommitGroup<string, string>(async (items) => {
    requests.push(items);
    return items.map((x) => (x === "bad" ? new Error("refused: bad") : `ok:${x}`));
  }, waitMs);
  return { g, requests };
}

describe("CommitGroup", () => {
  it("sends the members' commits in one request once every member submitted or left", async () => {
    const { g, requests } = group();
    const [a, b, c] = [g.join(), g.join(), g.join()];
    const pa = a.submit("a");
    const pb = b.submit("b");
    await Promise.resolve();
    expect(requests).toEqual([]);
    c.leave();
    expect(await Promise.all([pa, pb])).toEqual(["ok:a", "ok:b"]);
    expect(requests).toEqual([["a", "b"]]);
  });

  it("answers each member on its own: one's failure is not the others'", async () => {
    const { g, requests } = group();
    const [a, b] = [g.join(), g.join()];
    const pa = a.submit("bad");
    const pb = b.submit("b");
    await expect(pa).rejects.toThrow("refused: bad");
    expect(await pb).toBe("ok:b");
    expect(requests).toEqual([["bad", "b"]]);
  });

  it("holds nobody past its wait: a member still busy then commits alone later", async () => {
    const { g, requests } = group(20);
    const [fast, slow] = [g.join(), g.join()];
    expect(await fast.submit("fast")).toBe("ok:fast");
    expect(requests).toEqual([["fast"]]);
    expect(await slow.submit("slow")).toBe("ok:slow");
    expect(requests).toEqual([["fast"], ["slow"]]);
  });

  it("lets a member that already submitted leave, and sends a later commit of it alone", async () => {
    const { g, requests } = group();
    const [a, b] = [g.join(), g.join()];
    const pa = a.submit("a");
    a.leave();
    b.leave();
    expect(await pa).toBe("ok:a");
    expect(await a.submit("a2")).toBe("ok:a2");
    expect(requests).toEqual([["a"], ["a2"]]);
  });
});
