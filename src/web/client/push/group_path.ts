/** The Pushgateway URL path of a group, as its API expects it for PUT, POST and
 * DELETE: `/metrics/job/<job>{/<label>/<value>}`. A value containing `/` (or empty)
 * cannot be a path segment and goes base64url-encoded as `<label>@base64/<encoded>`. */
export function groupPath(labels: Readonly<Record<string, string>>): string {
  const job = labels["job"];
  if (job === undefined) throw new Error("a Pushgateway group always has a job label");
  const parts = [segment("job", job)];
  for (const name of Object.keys(labels).sort()) {
    if (name !== "job") parts.push(segment(name, labels[name]!));
  }
  return `/metrics/${parts.join("/")}`;
}

function segment(name: string, value: string): string {
  if (value === "") return `${name}@base64/=`;
  if (value.includes("/")) return `${name}@base64/${base64url(value)}`;
  return `${name}/${encodeURIComponent(value)}`;
}

export function base64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_");
}
