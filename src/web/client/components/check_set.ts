import { h, uid } from "../dom.js";

/** One labelled checkbox per value, kept in step with `selected`; `onChange` runs
 * after every toggle. Used by the pages' "show these states" filters. */
export function checkSet<T extends string>(values: readonly T[], selected: Set<T>, label: (v: T) => string, onChange: () => void): HTMLElement[] {
  return values.map((v) => {
    const id = uid(`check-${v}`);
    return h(
      "span",
      { class: "check" },
      h("input", {
        id,
        type: "checkbox",
        checked: selected.has(v),
        onchange: (ev: Event) => {
          if ((ev.target as HTMLInputElement).checked) selected.add(v);
          else selected.delete(v);
          onChange();
        },
      }),
      h("label", { for: id }, label(v)),
    );
  });
}
