import { describe, expect, it } from "vitest";
import { AlertQueue } from "../../src/notifier/queue.js";

describe("AlertQueue", () => {
  it("keeps order and hands out the oldest first", () => {
    const q = new AlertQueue<number>(10);
    expect(q.push([1, 2, 3])).toBe(0);
    expect(q.push([4])).toBe(0);
    expect(q.shift(3)).toEqual([1, 2, 3]);
    expect(q.shift(3)).toEqual([4]);
    expect(q.shift(3)).toEqual([]);
    expect(q.length).toBe(0);
  });

  it("drops the oldest entries to make room, and reports how many", () => {
    const q = new AlertQueue<number>(4);
    q.push([1, 2, 3]);
    expect(q.push([4, 5, 6])).toBe(2);
    expect(q.shift(10)).toEqual([3, 4, 5, 6]);
  });

  it("keeps only the tail of a batch larger than the whole queue", () => {
    const q = new AlertQueue<number>(3);
    q.push([0]);
    expect(q.push([1, 2, 3, 4, 5])).toBe(3);
    expect(q.shift(10)).toEqual([3, 4, 5]);
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => new AlertQueue(0)).toThrow(RangeError);
    expect(() => new AlertQueue(1.5)).toThrow(RangeError);
  });
});
