/** Growable, time-ordered samples. Typed arrays, because V8 rewrites the payload of a
 * signalling NaN (the stale marker) stored in a plain JS array. */
export class SampleBuffer {
  ts: Float64Array;
  vs: Float64Array;
  n = 0;

  constructor(capacity = 8) {
    this.ts = new Float64Array(capacity);
    this.vs = new Float64Array(capacity);
  }

  push(t: number, v: number): void {
    if (this.n === this.ts.length) {
      const ts = new Float64Array(this.n * 2);
      const vs = new Float64Array(this.n * 2);
      ts.set(this.ts);
      vs.set(this.vs);
      this.ts = ts;
      this.vs = vs;
    }
    this.ts[this.n] = t;
    this.vs[this.n++] = v;
  }
}
