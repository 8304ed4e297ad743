/**
 * The series keys a scrape appends, in order, built against the previous scrape's
 * list: a steady target appends the same keys in the same order, so while they match
 * nothing is copied or pushed, and a scrape that changed nothing hands back the very
 * previous array (which tells the caller no series came or went).
 */
export class SeriesList {
  /** Keys of `previous` matched so far, while `own` is undefined. */
  private matched = 0;
  private own: string[] | undefined;

  constructor(private readonly previous: readonly string[]) {}

  push(key: string): void {
    if (this.own === undefined) {
      if (this.previous[this.matched] === key) {
        this.matched++;
        return;
      }
      this.own = this.previous.slice(0, this.matched);
    }
    this.own.push(key);
  }

  /** Replaces the list with `keys` (taken as they are, not copied). */
  reset(keys: string[]): void {
    const prev = this.previous;
    let same = keys.length === prev.length;
    for (let i = 0; same && i < keys.length; i++) same = keys[i] === prev[i];
    this.matched = same ? prev.length : 0;
    this.own = same ? undefined : keys;
  }

  /** The list so far: `previous` itself when it is all of it. */
  keys(): string[] {
    if (this.own !== undefined) return this.own;
    if (this.matched === this.previous.length) return this.previous as string[];
    return (this.own = this.previous.slice(0, this.matched));
  }
}
