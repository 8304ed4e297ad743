import fc from "fast-check";

/** Encoded messages from `valid`, then damaged: one to four bytes overwritten or the
 * message cut short, so decoders meet almost-valid input, not only noise. */
export function damaged(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 4 })).map(([bytes, edits]) => {
    const b = Array.from(bytes);
    for (const [at, byte, cut] of edits) {
      if (b.length === 0) break;
      if (cut) b.length = at % b.length;
      else b[at % b.length] = byte;
    }
    return Uint8Array.from(b);
  });
}
