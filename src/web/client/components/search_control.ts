import { h, uid } from "../dom.js";

/** A labelled search box that reports every keystroke; pages filter as the user types. */
export function searchControl(placeholder: string, onInput: (text: string) => void, value = ""): { control: HTMLElement; input: HTMLInputElement } {
  const id = uid("search");
  const input = h("input", {
    id,
    type: "search",
    value,
    placeholder,
    oninput: (ev: Event) => onInput((ev.target as HTMLInputElement).value),
  }) as HTMLInputElement;
  return { control: h("div", { class: "control" }, h("label", { for: id }, "Search"), input), input };
}
