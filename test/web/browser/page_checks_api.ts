/** What test/web/browser/page_checks.ts offers the browser test, without DOM types, so
 * that the Workers-typed test code can call it. */
export interface Focused {
  tag: string;
  text: string;
  role: string | null;
  classes: string[];
}

export interface PageChecks {
  focused(): Focused | null;
  firstGraphTime(legendItems?: number): number | null;
  settled(): boolean;
  caretLeft(offset: number): number;
  unlabelledControls(): string[];
  lowContrastText(): string[];
  canvasPixel(selector: string, x: number, y: number): number[] | null;
}
