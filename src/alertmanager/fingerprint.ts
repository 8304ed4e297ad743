// Alertmanager's alert fingerprint (model.LabelSet.Fingerprint): FNV-1a 64 over the
// sorted label names and values, each followed by the 0xff separator, printed as 16 hex
// digits. The webhook payload and the API carry it, so it must be the same number.

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const encoder = new TextEncoder();

export function fingerprint(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return OFFSET.toString(16).padStart(16, "0");
  let h = OFFSET;
  const add = (s: string) => {
    for (const b of encoder.encode(s)) h = ((h ^ BigInt(b)) * PRIME) & MASK;
    h = ((h ^ 0xffn) * PRIME) & MASK;
  };
  for (const n of names) {
    add(n);
    add(labels[n]!);
  }
  return h.toString(16).padStart(16, "0");
}

/** model.LabelSet.String(): `{a="1", b="2"}`, names sorted, values Go-quoted. */
export function labelSetString(labels: Readonly<Record<string, string>>, quote: (s: string) => string): string {
  return `{${Object.keys(labels)
    .sort()
    .map((n) => `${n}=${quote(labels[n]!)}`)
    .join(", ")}}`;
}
