import fc from "fast-check";
import { concatBytes } from "../../src/encoding/body.js";

/** Byte-level damage to a valid body: bit flips, truncation, insertion, deletion and
 * splices at arbitrary offsets, as a flaky network or a confused sender make it. */
export type Damage = { kind: "flip" | "truncate" | "insert" | "delete" | "splice"; at: number; bit: number; bytes: Uint8Array };
export const damage: fc.Arbitrary<Damage> = fc.record({
  kind: fc.constantFrom("flip", "flip", "truncate", "insert", "delete", "splice"),
  at: fc.nat(),
  bit: fc.nat({ max: 7 }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
});

export function apply(buf: Uint8Array, ds: readonly Damage[]): Uint8Array {
  let b = buf;
  for (const d of ds) {
    const at = b.length === 0 ? 0 : d.at % (b.length + 1);
    switch (d.kind) {
      case "flip":
        if (b.length === 0) break;
        b = b.slice();
        b[at % b.length]! ^= 1 << d.bit;
        break;
      case "truncate":
        b = b.slice(0, at);
        break;
      case "insert":
        b = concatBytes([b.slice(0, at), d.bytes, b.slice(at)]);
        break;
      case "delete":
        b = concatBytes([b.slice(0, at), b.slice(at + d.bytes.length)]);
        break;
      case "splice":
        b = concatBytes([b.slice(0, at), d.bytes, b.slice(at + d.bytes.length)]);
        break;
    }
  }
  return b;
}


