/** The link Prometheus puts in an alert's generatorURL: the expression in the
 * expression browser's table view, under the server's external URL. */

const UTF8 = new TextEncoder();
const HEX = "0123456789ABCDEF";

/** Go's url.QueryEscape: space becomes "+", every byte but letters, digits and
 * `-_.~` becomes %XX. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of UTF8.encode(s)) {
    const keep = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e;
    if (keep) out += String.fromCharCode(b);
    else if (b === 0x20) out += "+";
    else out += "%" + HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

export function generatorURL(externalURL: string, expr: string): string {
  return `${externalURL}/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`;
}
