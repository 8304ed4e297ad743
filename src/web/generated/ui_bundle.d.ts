/** Types of the module scripts/build_ui.ts generates next to this file (ui_bundle.js,
 * not checked in). Output file names carry a content hash. */
export interface UiManifest {
  /** The entry module every page loads. */
  entry: string;
  /** The entry and the chunks it imports statically. */
  core: string[];
  styles: string[];
  /** Page name -> chunks the page loads beyond the core (preloaded by its shell). */
  pages: Record<string, string[]>;
}

export declare const manifest: UiManifest;

/** File name -> [content type, gzip-compressed content in base64]. */
export declare const assets: Record<string, readonly [string, string]>;
