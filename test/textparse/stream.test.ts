import { describe, expect, it } from "vitest";
import {
  ExpositionParser,
  iterateExposition,
  parseExposition,
  parseExpositionBatches,
  parseExpositionStream,
  ParseError,
  type Entry,
} from "../../src/textparse/index.js";
import { page } from "./helpers.js";

const OM_PAGE = page(
  "# TYPE temp_celsius gauge",
  "# UNIT temp_celsius celsius",
  "# HELP temp_celsius Temperature, in °C — per room.",
  'temp_celsius{room="küche"} 21.5 1700000000.5',
  'temp_celsius{room="日本"} 19 # {who="ß"} 1',
  "# EOF",
);

function bytesStream(bytes: Uint8Array, cut: (i: number) => boolean): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (let i = 1; i < bytes.length; i++) {
    if (cut(i)) {
      pieces.push(bytes.slice(from, i));
      from = i;
    }
  }
  pieces.push(bytes.slice(from));
  return new ReadableStream({
    pull(c) {
      const next = pieces.shift();
      if (next === undefined) c.close();
      else c.enqueue(next);
    },
  });
}

async function collect(it: AsyncIterable<Entry>): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("incremental parsing", () => {
  const whole = parseExposition(OM_PAGE, "openmetrics");

  it("gives the same entries wherever the text is split", () => {
    for (let i = 0; i <= OM_PAGE.length; i++) {
      for (const j of [i, Math.min(OM_PAGE.length, i + 1), Math.min(OM_PAGE.length, i + 7)]) {
        const p = new ExpositionParser("openmetrics");
        const got = [...p.push(OM_PAGE.slice(0, i)), ...p.push(OM_PAGE.slice(i, j)), ...p.push(OM_PAGE.slice(j)), ...p.end()];
        expect(got).toEqual(whole);
      }
    }
  });

  it("returns each line's entries as soon as its line feed arrives", () => {
    const p = new ExpositionParser("text");
    expect(p.push("a 1\nb")).toHaveLength(1);
    expect(p.push(" 2")).toEqual([]);
    expect(p.push("\n")).toHaveLength(1);
    expect(p.end()).toEqual([]);
  });

  it("decodes a byte stream split inside multi-byte characters", async () => {
    const bytes = new TextEncoder().encode(OM_PAGE);
    for (const every of [1, 2, 3, 5, 64]) {
      const got = await collect(parseExpositionStream(bytesStream(bytes, (i) => i % every === 0), "openmetrics"));
      expect(got, `chunks of ${every} bytes`).toEqual(whole);
    }
  });

  it("yields batches of at least 1024 entries (the last one shorter) from parseExpositionBatches", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `m{i="${i}"} ${i}\n`).join("");
    const bytes = new TextEncoder().encode(lines);
    const batches: Entry[][] = [];
    for await (const b of parseExpositionBatches(bytesStream(bytes, (i) => i % 4096 === 0), "text")) batches.push(b);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.slice(0, -1).every((b) => b.length >= 1024)).toBe(true);
    expect(batches.flat()).toEqual(await collect(parseExpositionStream(bytesStream(bytes, () => true), "text")));
    const small: Entry[][] = [];
    for await (const b of parseExpositionBatches(bytesStream(new TextEncoder().encode(OM_PAGE), (i) => i % 40 === 0), "openmetrics")) small.push(b);
    expect(small).toEqual([whole]);
  });

  it("accepts async iterables of strings or bytes", async () => {
    async function* gen(): AsyncGenerator<string | Uint8Array> {
      yield "a 1\n";
      yield new TextEncoder().encode("b 2");
    }
    expect((await collect(parseExpositionStream(gen(), "text"))).map((e) => e.kind === "sample" && e.name)).toEqual(["a", "b"]);
  });

  it("reports errors from a stream as ParseError with the line number in the whole body", async () => {
    const body = new TextEncoder().encode("a 1\nb 2\nc{ 3\n");
    const err = await collect(parseExpositionStream(bytesStream(body, () => true), "text")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).message).toBe('line 3, column 4: expected label name, got "3"');
    await expect(collect(parseExpositionStream(bytesStream(new TextEncoder().encode("a 1\n"), () => false), "openmetrics"))).rejects.toThrow(
      "line 2, column 1: data does not end with # EOF",
    );
  });

  it("cancels the body when the consumer stops early", async () => {
    let cancelled = false;
    let served = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new TextEncoder().encode(`m{i="${served++}"} 1\n`));
      },
      cancel() {
        cancelled = true;
      },
    });
    let n = 0;
    for await (const e of parseExpositionStream(endless, "text")) {
      void e;
      if (++n === 10) break;
    }
    expect(cancelled).toBe(true);
    expect(served).toBeLessThan(20);
  });

  it("iterates an in-memory page lazily with the same result", () => {
    expect([...iterateExposition(OM_PAGE, "openmetrics")]).toEqual(whole);
    const it = iterateExposition("a 1\nb{ 2\n", "text");
    expect(it.next().value).toMatchObject({ name: "a" });
    expect(() => it.next()).toThrow(ParseError);
  });
});
