import { api } from "../api.js";
import { apiFailure, notice } from "../components/notice.js";
import { h, replace, uid, type Child } from "../dom.js";
import { formatUtc, humanizeDuration, parseApiTime, relativeTime } from "../format/duration.js";
import { pageHeading, type PageContext, type PageView } from "../page.js";
import { storageFigures, type StorageFigures } from "../status/storage_figures.js";

interface TsdbStat {
  name: string;
  value: number;
}

interface TsdbStatus {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: TsdbStat[];
  labelValueCountByLabelName: TsdbStat[];
  memoryInBytesByLabelName: TsdbStat[];
  seriesCountByLabelValuePair: TsdbStat[];
}

/** Build and runtime information, storage figures, flags and the loaded
 * configuration (secrets already masked by the server). */
export function render(ctx: PageContext): PageView {
  const sections = {
    runtime: section("runtime", "Runtime and build information"),
    storage: section("storage", "Storage"),
    flags: section("flags", "Flags"),
    config: section("config", "Configuration"),
  };
  ctx.root.append(
    pageHeading("Status"),
    h(
      "nav",
      { class: "toc", "aria-label": "Sections" },
      h("ul", null, Object.values(sections).map((s) => h("li", null, h("a", { href: `#${s.id}` }, s.title)))),
    ),
    ...Object.values(sections).map((s) => s.el),
  );
  const signal = ctx.signal;
  void runtime(sections.runtime.body, signal);
  void storage(sections.storage.body, signal);
  void flags(sections.flags.body, signal);
  void config(sections.config.body, signal);
  // Anchors (/status#config, the /config alias) point into content that loads later.
  if (location.hash !== "") setTimeout(() => document.getElementById(location.hash.slice(1))?.scrollIntoView(), 300);
  return {};
}

function section(id: string, title: string): { id: string; title: string; el: HTMLElement; body: HTMLElement } {
  const body = h("div", { class: "section-body", "aria-busy": "true" }, h("p", { class: "muted" }, "Loading…"));
  return { id, title, body, el: h("section", { id, class: "status-section", "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), body) };
}

function kvTable(rows: [string, Child][]): HTMLElement {
  return h("table", { class: "data-table kv" }, h("tbody", null, rows.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k), h("td", null, v)))));
}

async function guarded(el: HTMLElement, what: string, path: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if ((e as Error).name === "AbortError") return;
    replace(el, apiFailure(what, path, e));
  } finally {
    el.setAttribute("aria-busy", "false");
  }
}

async function runtime(el: HTMLElement, signal: AbortSignal): Promise<void> {
  await guarded(el, "Runtime information", "/api/v1/status/runtimeinfo", async () => {
    const [build, rt] = await Promise.all([
      api<Record<string, string>>("/api/v1/status/buildinfo", {}, { signal }),
      api<Record<string, unknown>>("/api/v1/status/runtimeinfo", {}, { signal }),
    ]);
    const now = Date.now();
    const start = parseApiTime(String(rt.data["startTime"] ?? ""));
    const lastConfig = parseApiTime(String(rt.data["lastConfigTime"] ?? ""));
    replace(
      el,
      h("h3", null, "Build"),
      kvTable(Object.entries(build.data).map(([k, v]) => [k, v === "" ? "—" : v])),
      h("h3", null, "Runtime"),
      kvTable([
        ["Start time", start > 0 ? `${formatUtc(start)} UTC (${relativeTime(start, now)})` : "—"],
        ["Configuration reload", rt.data["reloadConfigSuccess"] === false ? "failed" : "successful"],
        ["Last configuration", lastConfig > 0 ? `${formatUtc(lastConfig)} UTC` : "—"],
        ["Storage retention", String(rt.data["storageRetention"] ?? "—")],
        ...Object.entries(rt.data)
          .filter(([k]) => !["startTime", "reloadConfigSuccess", "lastConfigTime", "storageRetention"].includes(k))
          .map(([k, v]): [string, Child] => [k, String(v)]),
      ]),
    );
  });
}

async function storage(el: HTMLElement, signal: AbortSignal): Promise<void> {
  const [tsdb, metrics] = await Promise.allSettled([
    api<TsdbStatus>("/api/v1/status/tsdb", {}, { signal }),
    fetch("/metrics", { signal, headers: { accept: "text/plain;version=0.0.4" } }).then(async (r) => (r.ok ? storageFigures(await r.text()) : null)),
  ]);
  if (signal.aborted) return;
  el.setAttribute("aria-busy", "false");
  const parts: Child[] = [];
  const figures = metrics.status === "fulfilled" ? metrics.value : null;
  parts.push(figures === null ? notice("info", "Storage figures not available", "This tier's /metrics has no edgeprom_tsdb_* figures.") : figuresTable(figures));
  if (tsdb.status === "fulfilled") parts.push(cardinality(tsdb.value.data));
  else parts.push(apiFailure("Head cardinality", "/api/v1/status/tsdb", tsdb.reason));
  replace(el, parts);
}

function figuresTable(f: StorageFigures): HTMLElement {
  const n = (v: number) => v.toLocaleString("en");
  return kvTable([
    ["Series", n(f.series)],
    ["Sealed chunks", `${n(f.chunks)} (${bytes(f.chunkBytes)}, ${n(f.chunkSamples)} samples)`],
    ["Bytes per sample (sealed chunks)", f.bytesPerSample === null ? "— (no chunk sealed yet)" : f.bytesPerSample.toFixed(2)],
    ["Samples in open head chunks", n(f.headSamples)],
    ["Samples appended", n(f.samplesAppended)],
    ["Write-ahead log since checkpoint", bytes(f.walBytes)],
    ["Database size (all shards)", bytes(f.storageBytes)],
    ["Out-of-order samples accepted", n(f.outOfOrderAccepted)],
    ["Out-of-order samples rejected", emphasise(f.outOfOrderRejected)],
    ["Duplicate samples rejected", emphasise(f.duplicateRejected)],
    ["Too old samples rejected", emphasise(f.tooOldRejected)],
    ["Deleted by retention", `${n(f.retentionDeletedChunks)} chunks, ${n(f.retentionDeletedSeries)} series`],
  ]);
}

/** Rejected samples are data a client sent and lost: make a non-zero count stand out. */
function emphasise(v: number): Child {
  return v === 0 ? "0" : h("strong", { class: "error-text" }, v.toLocaleString("en"));
}

function bytes(v: number): string {
  if (v < 1024) return `${v} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let x = v;
  let i = -1;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(1)} ${units[i]}`;
}

function cardinality(s: TsdbStatus): HTMLElement {
  const hs = s.headStats;
  const time = (t: number) => (Math.abs(t) < 1e15 ? `${formatUtc(t)} UTC` : "—");
  const top = (title: string, stats: TsdbStat[], unit: (v: number) => string = (v) => v.toLocaleString("en")) =>
    h(
      "div",
      { class: "top-table" },
      h("h4", null, title),
      stats.length === 0
        ? h("p", { class: "muted" }, "None.")
        : h(
            "table",
            { class: "data-table" },
            h("tbody", null, stats.map((x) => h("tr", null, h("td", null, h("code", null, x.name)), h("td", { class: "value" }, unit(x.value))))),
          ),
    );
  return h(
    "div",
    null,
    h("h3", null, "Head cardinality"),
    kvTable([
      ["Series", hs.numSeries.toLocaleString("en")],
      ["Label pairs", hs.numLabelPairs.toLocaleString("en")],
      ["Chunks", hs.chunkCount.toLocaleString("en")],
      ["Oldest sample", time(hs.minTime)],
      ["Newest sample", time(hs.maxTime)],
      ["Span", Math.abs(hs.minTime) < 1e15 && Math.abs(hs.maxTime) < 1e15 ? humanizeDuration(hs.maxTime - hs.minTime) : "—"],
    ]),
    h(
      "div",
      { class: "top-tables" },
      top("Series count by metric name", s.seriesCountByMetricName),
      top("Label value count by label name", s.labelValueCountByLabelName),
      top("Memory by label name", s.memoryInBytesByLabelName, bytes),
      top("Series count by label pair", s.seriesCountByLabelValuePair),
    ),
  );
}

async function flags(el: HTMLElement, signal: AbortSignal): Promise<void> {
  await guarded(el, "Flags", "/api/v1/status/flags", async () => {
    const res = await api<Record<string, string>>("/api/v1/status/flags", {}, { signal });
    const entries = Object.entries(res.data).sort(([a], [b]) => (a < b ? -1 : 1));
    const id = uid("flag-filter");
    const table = h("div");
    const draw = (q: string) =>
      replace(
        table,
        kvTable(entries.filter(([k, v]) => `${k} ${v}`.toLowerCase().includes(q.toLowerCase())).map(([k, v]): [string, Child] => [k, h("code", null, v)])),
      );
    draw("");
    replace(
      el,
      h("div", { class: "control" }, h("label", { for: id }, "Filter flags"), h("input", { id, type: "search", oninput: (ev: Event) => draw((ev.target as HTMLInputElement).value) })),
      table,
    );
  });
}

async function config(el: HTMLElement, signal: AbortSignal): Promise<void> {
  await guarded(el, "Configuration", "/api/v1/status/config", async () => {
    const res = await api<{ yaml: string }>("/api/v1/status/config", {}, { signal });
    const copied = h("span", { class: "muted", "aria-live": "polite" });
    replace(
      el,
      h(
        "div",
        { class: "toolbar" },
        h(
          "button",
          {
            type: "button",
            class: "btn",
            // The clipboard API exists only in secure contexts (HTTPS, localhost).
            onclick: () =>
              void (navigator.clipboard?.writeText(res.data.yaml) ?? Promise.reject(new Error("no clipboard"))).then(
                () => (copied.textContent = "Copied."),
                () => (copied.textContent = "Copying needs clipboard access (HTTPS or localhost)."),
              ),
          },
          "Copy to clipboard",
        ),
        copied,
      ),
      h("pre", { class: "config-yaml", tabindex: "0", "aria-label": "Loaded configuration (prometheus.yml)" }, h("code", null, res.data.yaml)),
    );
  });
}
