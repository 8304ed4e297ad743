// The request headers an HTTP client section's credentials turn into: one place for
// scrapes, remote write, HTTP SD and the Alertmanager notifier, so that they all
// authenticate the way prometheus/common's round trippers do.
import type { HTTPClientConfig } from "./types.js";

/** Reads a credentials file. In edgeprom, files named in prometheus.yml are KV keys
 * named by their paths; null when the key does not exist. */
export type SecretFileReader = (path: string) => Promise<string | null>;

/** The Authorization header for inline credentials (basic_auth, authorization or a
 * folded bearer_token); `*_file` fields are not read here (see resolveAuthHeaders). */
export function authHeaders(hc: HTTPClientConfig): Record<string, string> {
  if (hc.basicAuth !== undefined) return { authorization: basic(hc.basicAuth.username, hc.basicAuth.password ?? "") };
  if (hc.authorization !== undefined) return { authorization: `${hc.authorization.type} ${hc.authorization.credentials ?? ""}` };
  return {};
}

/** True when some credential comes from a file, so headers must be built per request
 * (Prometheus reads such files again for every request: rotated secrets apply). */
export function usesSecretFiles(hc: HTTPClientConfig): boolean {
  return hc.basicAuth?.usernameFile !== undefined || hc.basicAuth?.passwordFile !== undefined || hc.authorization?.credentialsFile !== undefined;
}

/** authHeaders, with `username_file`, `password_file` and `credentials_file` read
 * through `read` and trimmed of surrounding whitespace as Prometheus does. Throws with
 * Prometheus' wording when a file cannot be read. */
export async function resolveAuthHeaders(hc: HTTPClientConfig, read: SecretFileReader | undefined): Promise<Record<string, string>> {
  const ba = hc.basicAuth;
  if (ba !== undefined) {
    const username = ba.usernameFile !== undefined ? await readSecret(read, ba.usernameFile, "basic auth username") : ba.username;
    const password = ba.passwordFile !== undefined ? await readSecret(read, ba.passwordFile, "basic auth password") : (ba.password ?? "");
    return { authorization: basic(username, password) };
  }
  const au = hc.authorization;
  if (au !== undefined) {
    const credentials = au.credentialsFile !== undefined ? await readSecret(read, au.credentialsFile, "authorization credentials") : (au.credentials ?? "");
    return { authorization: `${au.type} ${credentials}` };
  }
  return {};
}

async function readSecret(read: SecretFileReader | undefined, path: string, what: string): Promise<string> {
  let text: string | null = null;
  let cause = "no such file or directory";
  if (read !== undefined) {
    try {
      text = await read(path);
    } catch (e) {
      cause = e instanceof Error ? e.message : String(e);
    }
  }
  if (text === null) throw new Error(`unable to read ${what}: unable to read file ${path}: ${cause}`);
  return text.trim();
}

/** Go's SetBasicAuth: base64 of "user:password" as UTF-8 bytes (btoa alone only takes
 * Latin-1). */
function basic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return "Basic " + btoa(bin);
}
