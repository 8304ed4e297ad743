/** Parses a `.dev.vars` file, the dotenv format wrangler reads for local secrets:
 * `KEY=value` lines, `#` comments, optional `export `, single quotes taken literally,
 * double quotes with \n, \t, \", \\ escapes and values spanning several lines (so a
 * WEB_CONFIG YAML fits). Throws with the line number on anything else, so a typo
 * never silently drops a secret. */
export function parseDevVars(text: string, name = ".dev.vars"): Map<string, string> {
  const vars = new Map<string, string>();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m === null) throw new Error(`${name}:${lineNo}: expected KEY=value, got ${JSON.stringify(line)}`);
    const key = m[1]!;
    let rest = m[2]!;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // The value ends at the first unescaped closing quote, possibly lines later.
      let body = rest.slice(1);
      let end = closingQuote(body, quote);
      while (end < 0 && i + 1 < lines.length) {
        body += `\n${lines[++i]}`;
        end = closingQuote(body, quote);
      }
      if (end < 0) throw new Error(`${name}:${lineNo}: ${key}: unterminated ${quote} quote`);
      const after = body.slice(end + 1).trim();
      if (after !== "" && !after.startsWith("#")) throw new Error(`${name}:${lineNo}: ${key}: unexpected text after the closing quote`);
      const raw = body.slice(0, end);
      vars.set(key, quote === "'" ? raw : unescape(raw));
      continue;
    }
    const comment = rest.search(/\s#/);
    if (comment >= 0) rest = rest.slice(0, comment);
    vars.set(key, rest.trim());
  }
  return vars;
}

function closingQuote(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (quote === '"' && s[i] === "\\") i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c] ?? c);
}
