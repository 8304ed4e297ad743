import { escapeLabelValue, isValidLabelName, isValidMetricName, METRIC_NAME, type Labels } from "../model/labels.js";
import type { MetricType } from "../model/metadata.js";
import type { ExpositionFormat } from "./entry.js";
import type { FamilySample, MetricFamily } from "./family.js";
import { formatExpositionFloat, formatMillisAsSeconds, formatOpenMetricsFloat } from "./float.js";

const NEEDS_ESCAPE = /[\\"\n]/;

/** The text format knows four types; everything else is written as untyped. */
function textType(t: MetricType): string {
  return t === "counter" || t === "gauge" || t === "histogram" || t === "summary" ? t : "untyped";
}

/** Encodes families one string per family (then `# EOF` for OpenMetrics), so a large
 * /federate answer can be streamed instead of built whole. Families must be given
 * in the order to print; each family's samples are printed as given.
 * Throws an Error for a name neither format can carry, rather than emit a page no
 * parser would accept. */
export function* encodeFamilies(
  families: Iterable<MetricFamily>,
  format: ExpositionFormat,
): Generator<string, void, undefined> {
  const names = new NameCheck();
  for (const f of families) {
    yield format === "openmetrics" ? openMetricsFamily(f, names) : textFamily(f, names);
  }
  if (format === "openmetrics") yield "# EOF\n";
}

export function writeExposition(families: Iterable<MetricFamily>, format: ExpositionFormat): string {
  let s = "";
  for (const part of encodeFamilies(families, format)) s += part;
  return s;
}

export function writeText(families: Iterable<MetricFamily>): string {
  return writeExposition(families, "text");
}

export function writeOpenMetrics(families: Iterable<MetricFamily>): string {
  return writeExposition(families, "openmetrics");
}

function textFamily(f: MetricFamily, names: NameCheck): string {
  names.metric(f.name);
  let s = "";
  if (f.help) s += `# HELP ${f.name} ${escapeHelp(f.help, false)}\n`;
  s += `# TYPE ${f.name} ${textType(f.type)}\n`;
  for (const sample of f.samples) {
    s += seriesText(f.name, sample.labels, names) + " " + formatExpositionFloat(sample.value);
    if (sample.timestamp !== undefined) s += " " + formatMillis(sample.timestamp);
    s += "\n";
  }
  return s;
}

function openMetricsFamily(f: MetricFamily, names: NameCheck): string {
  names.metric(f.name);
  // OpenMetrics names a counter family without "_total" (and an info family without
  // "_info"); the samples keep the suffix. Text-format metadata often includes it.
  let meta = f.name;
  if (f.type === "counter" && meta.endsWith("_total") && meta.length > 6) meta = meta.slice(0, -6);
  else if (f.type === "info" && meta.endsWith("_info") && meta.length > 5) meta = meta.slice(0, -5);
  let s = "";
  if (f.help) s += `# HELP ${meta} ${escapeHelp(f.help, true)}\n`;
  s += `# TYPE ${meta} ${f.type}\n`;
  // A unit must be the name's suffix; one that is not would make the page invalid.
  if (f.unit && meta.endsWith("_" + f.unit)) s += `# UNIT ${meta} ${f.unit}\n`;
  for (const sample of f.samples) s += openMetricsSample(f.name, sample, names);
  return s;
}

function openMetricsSample(family: string, sample: FamilySample, names: NameCheck): string {
  let s = seriesText(family, sample.labels, names) + " " + formatOpenMetricsFloat(sample.value);
  if (sample.timestamp !== undefined) s += " " + formatMillisAsSeconds(sample.timestamp);
  const ex = sample.exemplar;
  if (ex !== undefined) {
    s += " # " + labelSetText(ex.labels, names) + " " + formatOpenMetricsFloat(ex.value);
    if (ex.timestamp !== undefined) s += " " + formatMillisAsSeconds(ex.timestamp);
  }
  return s + "\n";
}

/** `name{a="1",b="2"}` for a series, the name taken from `__name__`. */
function seriesText(family: string, labels: Labels, names: NameCheck): string {
  let name = family;
  let body = "";
  for (const l of labels) {
    if (l.name === METRIC_NAME) {
      name = l.value;
      continue;
    }
    names.label(l.name);
    body += (body === "" ? "" : ",") + l.name + '="' + escapeValue(l.value) + '"';
  }
  if (name !== family) names.metric(name);
  return body === "" ? name : name + "{" + body + "}";
}

function labelSetText(labels: Labels, names: NameCheck): string {
  let body = "";
  for (const l of labels) {
    names.label(l.name);
    body += (body === "" ? "" : ",") + l.name + '="' + escapeValue(l.value) + '"';
  }
  return "{" + body + "}";
}

function escapeValue(v: string): string {
  return NEEDS_ESCAPE.test(v) ? escapeLabelValue(v) : v;
}

/** HELP escapes backslash and newline; OpenMetrics also escapes the double quote. */
function escapeHelp(h: string, om: boolean): string {
  let s = h.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  if (om) s = s.replace(/"/g, '\\"');
  return s;
}

function formatMillis(ms: number): string {
  return String(Math.trunc(ms));
}

/** Remembers names already validated: a page repeats a few names many times. */
class NameCheck {
  private lastMetric = "";
  private readonly labels = new Set<string>();

  metric(name: string): void {
    if (name === this.lastMetric) return;
    if (!isValidMetricName(name)) throw new Error(`cannot write invalid metric name ${JSON.stringify(name)}`);
    this.lastMetric = name;
  }

  label(name: string): void {
    if (this.labels.has(name)) return;
    if (!isValidLabelName(name)) {
      throw new Error(`cannot write invalid label name ${JSON.stringify(name)}`);
    }
    this.labels.add(name);
  }
}
