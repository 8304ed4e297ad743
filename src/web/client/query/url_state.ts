import { formatDuration, parseDuration } from "../../../model/time.js";
import { formatUtc, parseTimeInput } from "../format/duration.js";
import { defaultPanel, type Density, type PanelState } from "./panel_state.js";

/** Panels in the URL the way Prometheus writes them (`g0.expr=...&g0.tab=graph&
 * g0.range_input=1h...`), so links move between Prometheus and edgeprom both ways.
 * Reads Prometheus 2.x links too (`g0.tab=0`, `g0.stacked=1`, `g0.step_input=15`). */
export function decodePanels(search: string): PanelState[] {
  const q = new URLSearchParams(search);
  const panels: PanelState[] = [];
  for (let i = 0; q.has(`g${i}.expr`); i++) {
    const get = (k: string) => q.get(`g${i}.${k}`);
    const p = defaultPanel();
    p.expr = get("expr") ?? "";
    const tab = get("tab");
    if (tab === "0" || tab === "graph") p.tab = "graph";
    else if (tab === "1" || tab === "table") p.tab = "table";
    const stacked = get("stacked");
    if (stacked !== null) p.displayMode = stacked === "1" ? "stacked" : "lines";
    const mode = get("display_mode");
    if (mode === "lines" || mode === "stacked") p.displayMode = mode;
    p.showExemplars = get("show_exemplars") === "1";
    const range = get("range_input");
    if (range !== null) p.range = durationOr(range, p.range);
    for (const key of ["end_input", "moment_input"]) {
      const v = get(key);
      if (v !== null && v !== "") p.endTime = timeOr(v, p.endTime);
    }
    // Prometheus 2.x: step_input in seconds, overridden by 3.x's res_* below.
    const stepInput = Number(get("step_input") ?? "");
    if (stepInput > 0) p.resolution = { type: "custom", step: stepInput * 1000 };
    const resType = get("res_type");
    const density = get("res_density");
    const resStep = Number(get("res_step") ?? "");
    if (resType === "auto" && (density === "low" || density === "medium" || density === "high")) {
      p.resolution = { type: "auto", density: density as Density };
    } else if ((resType === "fixed" || resType === "custom") && resStep > 0) {
      p.resolution = { type: resType, step: resStep * 1000 };
    }
    panels.push(p);
  }
  return panels;
}

export function encodePanels(panels: readonly PanelState[]): URLSearchParams {
  const q = new URLSearchParams();
  panels.forEach((p, i) => {
    const add = (k: string, v: string) => q.append(`g${i}.${k}`, v);
    add("expr", p.expr);
    add("show_tree", "0");
    add("tab", p.tab);
    if (p.endTime !== null) {
      add("end_input", formatUtc(p.endTime));
      add("moment_input", formatUtc(p.endTime));
    }
    add("range_input", formatDuration(p.range));
    add("res_type", p.resolution.type);
    if (p.resolution.type === "auto") add("res_density", p.resolution.density);
    else add("res_step", String(p.resolution.step / 1000));
    add("display_mode", p.displayMode);
    add("show_exemplars", p.showExemplars ? "1" : "0");
  });
  return q;
}

function durationOr(s: string, fallback: number): number {
  try {
    const d = parseDuration(s);
    return d > 0 ? d : fallback;
  } catch {
    return fallback;
  }
}

function timeOr(s: string, fallback: number | null): number | null {
  try {
    return parseTimeInput(s);
  } catch {
    return fallback;
  }
}
