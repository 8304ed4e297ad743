/** Go's regexp.Expand for replacement templates: `$1`, `${1}`, `$name`, `${name}`,
 * `$$` for a literal dollar. A reference is the longest run of letters, digits and
 * underscores, so `$1_x` names the group "1_x" (usually absent: expands to "").
 * Unknown groups, groups that did not participate and numbers with a leading zero
 * expand to "". A `$` not followed by a valid reference stays a literal `$`.
 * Templates are parsed once, at config compile time. */

/** A literal piece (string), a group number, or a group name (boxed). */
export type TemplatePart = string | number | { readonly name: string };

export interface Template {
  readonly parts: readonly TemplatePart[];
  /** The template has no references: expansion is the literal text. */
  readonly literal: string | null;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

export function parseTemplate(template: string): Template {
  const parts: TemplatePart[] = [];
  let lit = "";
  let rest = template;
  for (;;) {
    const i = rest.indexOf("$");
    if (i < 0) break;
    lit += rest.slice(0, i);
    rest = rest.slice(i + 1);
    if (rest.startsWith("$")) {
      lit += "$";
      rest = rest.slice(1);
      continue;
    }
    const ref = extract(rest);
    if (ref === null) {
      lit += "$";
      continue;
    }
    rest = ref.rest;
    if (lit !== "") parts.push(lit);
    lit = "";
    parts.push(ref.num >= 0 ? ref.num : { name: ref.name });
  }
  lit += rest;
  if (lit !== "") parts.push(lit);
  const literal = parts.every((p) => typeof p === "string") ? (parts as string[]).join("") : null;
  return { parts, literal };
}

function extract(str: string): { name: string; num: number; rest: string } | null {
  if (str === "") return null;
  let brace = false;
  let s = str;
  if (s[0] === "{") {
    brace = true;
    s = s.slice(1);
  }
  let i = 0;
  for (const ch of s) {
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return null;
  const name = s.slice(0, i);
  if (brace) {
    if (i >= s.length || s[i] !== "}") return null;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  if (name[0] === "0" && name.length > 1) num = -1;
  return { name, num, rest: s.slice(i) };
}

/** Expands a parsed template against a RegExp match (index 0 the whole match). */
export function expandTemplate(t: Template, m: RegExpExecArray | readonly string[]): string {
  if (t.literal !== null) return t.literal;
  let out = "";
  for (const p of t.parts) {
    if (typeof p === "string") out += p;
    else if (typeof p === "number") out += (p < m.length ? m[p] : undefined) ?? "";
    else out += ((m as RegExpExecArray).groups?.[p.name]) ?? "";
  }
  return out;
}
