/** Vite's `?raw` imports: a file's text, for workers tests that cannot read files. */
declare module "*?raw" {
  const text: string;
  export default text;
}
