/**
 * cases.Title(language.AmericanEnglish, cases.NoLower).String, Prometheus' `title`
 * (Prometheus 3.10 replaced the deprecated strings.Title with it): the first cased letter
 * of each word is title-cased and the rest of the word is left alone.
 *
 * Words follow x/text's approximation of Unicode word breaking (cases/info.go): runes of
 * the word-break classes ALetter, Hebrew_Letter, Numeric, Extend, ExtendNumLet, Format
 * and ZWJ continue a word; MidLetter, MidNumLet and Single_Quote (' . : ...) continue it
 * unless two come in a row; every other rune (space, '-', ',', Katakana, Han...) ends it.
 * So "o'neil" gives "O'neil", "foo.bar" "Foo.bar", "49ers" "49Ers", "a-b" "A-B".
 */

const CASED = /^\p{Cased}$/u;
const MID = /^['.:\u00b7\u0387\u055f\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a]$/u;
const EXTEND_OR_FORMAT = /^[\p{M}\p{Cf}\p{Pc}\u202f]$/u;
/** Letters whose word-break class is Other or Katakana: they end a word. */
const NOT_ALETTER =
  /^[\p{Ideographic}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Tai_Le}\p{Script=New_Tai_Lue}\p{Script=Tai_Tham}\p{Script=Tai_Viet}\p{Script=Ahom}\u3031-\u3035\u309b\u309c\u30a0\u30fc\uff70]$/u;
const ALETTER = /^[\p{Alphabetic}\p{Nd}]$/u;

type Class = "cased" | "mid" | "letter" | "break";

function classOf(ch: string): Class {
  if (CASED.test(ch)) return "cased";
  if (MID.test(ch)) return "mid";
  if (ch === "\u200b") return "break";
  if (EXTEND_OR_FORMAT.test(ch)) return "letter";
  if (ALETTER.test(ch) && !NOT_ALETTER.test(ch)) return "letter";
  return "break";
}

/** Greek letters with ypogegrammeni title-case to one character or keep it combining. */
function greekTitle(cp: number): string | null {
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) {
    return String.fromCodePoint(cp + 8);
  }
  const table: Record<number, string> = {
    0x1fb3: "\u1fbc",
    0x1fc3: "\u1fcc",
    0x1ff3: "\u1ffc",
    0x1fb2: "\u1fba\u0345",
    0x1fb4: "\u0386\u0345",
    0x1fc2: "\u1fca\u0345",
    0x1fc4: "\u0389\u0345",
    0x1ff2: "\u1ffa\u0345",
    0x1ff4: "\u038f\u0345",
    0x1fb7: "\u0391\u0342\u0345",
    0x1fc7: "\u0397\u0342\u0345",
    0x1ff7: "\u03a9\u0342\u0345",
  };
  return table[cp] ?? null;
}

/** The Unicode title case mapping of one character. */
function titleCase(ch: string): string {
  const cp = ch.codePointAt(0)!;
  switch (cp) {
    case 0x01c4:
    case 0x01c5:
    case 0x01c6:
      return "\u01c5";
    case 0x01c7:
    case 0x01c8:
    case 0x01c9:
      return "\u01c8";
    case 0x01ca:
    case 0x01cb:
    case 0x01cc:
      return "\u01cb";
    case 0x01f1:
    case 0x01f2:
    case 0x01f3:
      return "\u01f2";
  }
  if (/^\p{Lt}$/u.test(ch)) return ch;
  const greek = greekTitle(cp);
  if (greek !== null) return greek;
  const up = [...ch.toUpperCase()];
  if (up.length <= 1) return up.join("");
  // Expansions (ß, ligatures): letters after the first cased one go to lower case.
  const first = up.findIndex((c) => CASED.test(c));
  return up.map((c, i) => (first >= 0 && i > first ? c.toLowerCase() : c)).join("");
}

export function title(s: string): string {
  let out = "";
  let midWord = false;
  let prevMid = false;
  for (const ch of s) {
    const cls = classOf(ch);
    if (prevMid && cls === "mid") midWord = false;
    if (cls === "cased") {
      if (!midWord) {
        out += titleCase(ch);
        midWord = true;
      } else out += ch;
    } else {
      out += ch;
      if (cls === "break") midWord = false;
    }
    prevMid = cls === "mid";
  }
  return out;
}
