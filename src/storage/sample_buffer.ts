/** Growable, time-ordered samples. Typed arrays, because V8 rewrites the payload of a
 * signalling NaN (the stale marker) stored in a plain JS array. */
export class SampleBuffer {
  ts = new Float64Array(8);
  vs = new Float64Array(8);
  n = 0;

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
