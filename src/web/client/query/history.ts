/** Expressions run from this browser, newest first, kept in localStorage like
 * Prometheus' "query history". */
const KEY = "edgeprom.queryHistory";
export const HISTORY_LIMIT = 50;

/** The part of the Web Storage API the history uses. */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export class QueryHistory {
  constructor(private readonly store: KeyValue | null = safeLocalStorage()) {}

  list(): string[] {
    try {
      const v: unknown = JSON.parse(this.store?.getItem(KEY) ?? "[]");
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    } catch {
      return [];
    }
  }

  /** Moves (or adds) an expression to the front. */
  add(expr: string): string[] {
    const e = expr.trim();
    if (e === "") return this.list();
    const next = [e, ...this.list().filter((x) => x !== e)].slice(0, HISTORY_LIMIT);
    try {
      this.store?.setItem(KEY, JSON.stringify(next));
    } catch {
      // Storage full or disabled (private mode): history is a convenience.
    }
    return next;
  }
}

/** The browser's localStorage; null where there is none or it is blocked (reading
 * the property throws in some privacy modes). */
function safeLocalStorage(): KeyValue | null {
  try {
    return (globalThis as { localStorage?: KeyValue }).localStorage ?? null;
  } catch {
    return null;
  }
}
