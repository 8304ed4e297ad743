import type { MetricType } from "../model/metadata.js";
import { FAMILY_SUFFIXES } from "./family.js";

type MetadataKind = "HELP" | "TYPE" | "UNIT";

/** A metadata block's kinds seen so far as bits: a block opens per family, so a Set
 * per block would be an allocation per family. */
const KIND_BIT: Readonly<Record<MetadataKind, number>> = { HELP: 1, TYPE: 2, UNIT: 4 };

/** What a parser must remember between lines: the family currently open (whose type
 * decides which label values are normalised) and which metadata it has seen.
 *
 * The text format allows one HELP and one TYPE line per name in the whole page, and
 * TYPE only before the name's first sample; both are enforced as written.
 * OpenMetrics only rejects a repeated HELP/TYPE/UNIT line within one metadata
 * block: metadata after samples opens a new family even under the same name.
 * client_golang names a counter "x_total" family "x", which collides with the gauge
 * "x" of every Go program (go_memstats_alloc_bytes) and Prometheus accepts such
 * pages, so rejecting them would fail scrapes that work today. */
export class MetadataState {
  // Whole-page bookkeeping, text format only.
  private readonly helps = new Set<string>();
  private readonly types = new Set<string>();
  private readonly sampled = new Set<string>();
  // Samples of one metric come in runs; remembering the last name keeps the Set
  // lookup off the per-sample path.
  private lastSampled = "";

  private family = "";
  private familyType: MetricType = "unknown";
  // The last name checked against the open family, and the answer: a family's samples
  // come in runs, and a scrape cache hands the same name instance to the whole run.
  private checkedName = "";
  private checkedFamily = "";
  private checkedIn = true;
  private blockSeen = 0;
  private blockSampled = false;

  constructor(private readonly pageWide: boolean) {}

  /** Each returns an error reason, or undefined when the line is acceptable. */
  help(name: string): string | undefined {
    if (this.pageWide) {
      if (this.helps.has(name)) return second("HELP", name);
      this.helps.add(name);
    }
    return this.meta("HELP", name);
  }

  /** `sampleNames`: familySampleNames(name, type), which a caller seeing the same
   * line again can keep instead of concatenating the names for every page. */
  type(name: string, type: MetricType, sampleNames = familySampleNames(name, type)): string | undefined {
    if (this.pageWide) {
      if (this.types.has(name)) return second("TYPE", name);
      for (const n of sampleNames) {
        if (this.sampled.has(n)) return afterSamples(name);
      }
      this.types.add(name);
    }
    const reason = this.meta("TYPE", name);
    if (reason === undefined) this.familyType = type;
    return reason;
  }

  unit(name: string): string | undefined {
    return this.meta("UNIT", name);
  }

  sample(name: string): void {
    // A sample outside the open family closes it: metadata that follows describes a
    // new block, and no normalisation applies to this sample.
    if (this.inFamily(name)) this.blockSampled = true;
    else this.family = "";
    if (!this.pageWide || name === this.lastSampled) return;
    this.lastSampled = name;
    this.sampled.add(name);
  }

  /** The label whose float value Prometheus rewrites into canonical form for this
   * sample: `le` in histograms, `quantile` in summaries; so `le="1"` and
   * `le="1.0"` name the same series whatever the exporter printed. */
  normalisedLabel(sampleName: string): string | undefined {
    if (this.family === "" || !this.inFamily(sampleName)) return undefined;
    return this.familyType === "histogram" ? "le" : this.familyType === "summary" ? "quantile" : undefined;
  }

  private inFamily(name: string): boolean {
    if (name !== this.checkedName || this.family !== this.checkedFamily) {
      this.checkedName = name;
      this.checkedFamily = this.family;
      // Not startsWith: see LineParser on comparing text.
      this.checkedIn = name.length >= this.family.length && name.slice(0, this.family.length) === this.family;
    }
    return this.checkedIn;
  }

  private meta(kind: MetadataKind, name: string): string | undefined {
    if (name !== this.family || (!this.pageWide && this.blockSampled)) {
      this.family = name;
      this.familyType = "unknown";
      this.blockSeen = KIND_BIT[kind];
      this.blockSampled = false;
      return undefined;
    }
    if ((this.blockSeen & KIND_BIT[kind]) !== 0) return second(kind, name);
    if (kind === "TYPE" && this.blockSampled) return afterSamples(name);
    this.blockSeen |= KIND_BIT[kind];
    return undefined;
  }
}

/** The names of the samples a family of `type` called `name` owns. */
export function familySampleNames(name: string, type: MetricType): readonly string[] {
  return FAMILY_SUFFIXES[type].map((suffix) => name + suffix);
}

function second(kind: MetadataKind, name: string): string {
  return `second ${kind} line for metric name "${name}"`;
}

function afterSamples(name: string): string {
  return `TYPE line for metric name "${name}" after its samples`;
}
