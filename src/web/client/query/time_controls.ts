import { formatDuration, parseDuration } from "../../../model/time.js";
import { h, uid } from "../dom.js";
import { formatUtc, parseTimeInput } from "../format/duration.js";
import { decreaseRange, effectiveStep, FIXED_STEPS, increaseRange, type PanelState, type Resolution } from "./panel_state.js";

/** The inputs under the expression: evaluation/end time for both tabs; range,
 * resolution and stacking for the graph. Each change is applied to the panel state
 * and reported, and the panel runs its query again. */
export function timeControls(state: PanelState, onChange: (patch: Partial<PanelState>) => void): HTMLElement {
  const graph = state.tab === "graph";
  const items: HTMLElement[] = [];

  if (graph) {
    const id = uid("range");
    const range = textInput(id, formatDuration(state.range), "1h", (text) => {
      const ms = parseDuration(text);
      if (ms <= 0) throw new Error("the range must be positive");
      onChange({ range: ms });
    });
    items.push(
      h(
        "div",
        { class: "control" },
        h("label", { for: id }, "Range"),
        h("div", { class: "input-group" }, iconButton("−", "Shorter range", () => onChange({ range: decreaseRange(state.range) })), range, iconButton("+", "Longer range", () => onChange({ range: increaseRange(state.range) }))),
      ),
    );
  }

  const timeId = uid("time");
  const time = textInput(timeId, state.endTime === null ? "" : formatUtc(state.endTime), "now", (text) => {
    onChange({ endTime: text.trim() === "" || text.trim() === "now" ? null : parseTimeInput(text) });
  });
  // Back and forth by half the graph's range, or by an hour on the table, from "now" if unset.
  const shift = graph ? state.range / 2 : 3600_000;
  const base = () => state.endTime ?? Date.now();
  items.push(
    h(
      "div",
      { class: "control" },
      h("label", { for: timeId }, graph ? "End time (UTC)" : "Evaluation time (UTC)"),
      h(
        "div",
        { class: "input-group" },
        iconButton("‹", "Earlier", () => onChange({ endTime: Math.round(base() - shift) })),
        time,
        iconButton("›", "Later", () => onChange({ endTime: Math.round(base() + shift) })),
        h("button", { type: "button", class: "btn btn-small", disabled: state.endTime === null, onclick: () => onChange({ endTime: null }) }, "Now"),
      ),
    ),
  );

  if (graph) items.push(resolutionControl(state, onChange), stackedControl(state, onChange), exemplarsControl(state, onChange));
  return h("div", { class: "controls" }, items);
}

function resolutionControl(state: PanelState, onChange: (patch: Partial<PanelState>) => void): HTMLElement {
  const id = uid("res");
  const res = state.resolution;
  const current = res.type === "auto" ? res.density : res.type === "fixed" ? `fixed:${res.step}` : "custom";
  const option = (value: string, label: string) => h("option", { value, selected: value === current }, label);
  const select = h(
    "select",
    {
      id,
      onchange: (ev: Event) => {
        const v = (ev.target as HTMLSelectElement).value;
        let next: Resolution;
        if (v === "low" || v === "medium" || v === "high") next = { type: "auto", density: v };
        else if (v.startsWith("fixed:")) next = { type: "fixed", step: Number(v.slice(6)) };
        else next = { type: "custom", step: effectiveStep(state.resolution, state.range) };
        onChange({ resolution: next });
      },
    },
    h("optgroup", { label: "Automatic" }, option("low", "Low res."), option("medium", "Medium res."), option("high", "High res.")),
    h("optgroup", { label: "Fixed step" }, FIXED_STEPS.map((s) => option(`fixed:${s}`, formatDuration(s)))),
    h("optgroup", { label: "Custom" }, option("custom", "Custom step…")),
  );
  const parts: HTMLElement[] = [select];
  if (res.type === "custom") {
    const stepId = uid("step");
    parts.push(
      h("label", { for: stepId, class: "visually-hidden" }, "Custom step"),
      textInput(stepId, formatDuration(res.step), "15s", (text) => {
        const ms = parseDuration(text);
        if (ms <= 0) throw new Error("the step must be positive");
        onChange({ resolution: { type: "custom", step: ms } });
      }),
    );
  }
  return h("div", { class: "control" }, h("label", { for: id }, "Resolution"), h("div", { class: "input-group" }, parts));
}

function stackedControl(state: PanelState, onChange: (patch: Partial<PanelState>) => void): HTMLElement {
  const id = uid("stacked");
  return h(
    "div",
    { class: "control control-check" },
    h("input", {
      id,
      type: "checkbox",
      checked: state.displayMode === "stacked",
      onchange: (ev: Event) => onChange({ displayMode: (ev.target as HTMLInputElement).checked ? "stacked" : "lines" }),
    }),
    h("label", { for: id }, "Stacked"),
  );
}

function exemplarsControl(state: PanelState, onChange: (patch: Partial<PanelState>) => void): HTMLElement {
  const id = uid("exemplars");
  return h(
    "div",
    { class: "control control-check" },
    h("input", { id, type: "checkbox", checked: state.showExemplars, onchange: (ev: Event) => onChange({ showExemplars: (ev.target as HTMLInputElement).checked }) }),
    h("label", { for: id }, "Show exemplars"),
  );
}

/** A text input applied on Enter or when it loses focus; an invalid value is marked
 * (aria-invalid, with the reason as its description) and not applied. */
function textInput(id: string, value: string, placeholder: string, apply: (text: string) => void): HTMLElement {
  const err = h("span", { id: `${id}-err`, class: "visually-hidden" });
  const input = h("input", { id, type: "text", value, placeholder, size: Math.max(value.length, placeholder.length) + 2, autocomplete: "off", spellcheck: "false" });
  let last = value;
  const commit = () => {
    if (input.value === last) return;
    try {
      apply(input.value);
      last = input.value;
      input.removeAttribute("aria-invalid");
    } catch (e) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", err.id);
      input.title = (e as Error).message;
      err.textContent = (e as Error).message;
    }
  };
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      commit();
    }
  });
  input.addEventListener("change", commit);
  return h("span", { class: "input-wrap" }, input, err);
}

function iconButton(text: string, label: string, onclick: () => void): HTMLButtonElement {
  return h("button", { type: "button", class: "btn btn-icon", "aria-label": label, title: label, onclick }, text);
}
