// The v2 API's JSON shapes (Alertmanager's OpenAPI spec): what clients post and what
// they get back, with go-openapi's date-time format (always milliseconds).
import type { AmAlert } from "./alert.js";
import type { Silence, SilenceMatcher, SilenceState } from "./silence.js";

/** strfmt.DateTime: RFC 3339 with exactly three fractional digits, UTC. */
export function apiTime(ms: number): string {
  return new Date(ms).toISOString();
}

export interface AlertStatus {
  state: "active" | "suppressed" | "unprocessed";
  silencedBy: string[];
  inhibitedBy: string[];
}

export function gettableAlert(a: AmAlert, receivers: string[], status: AlertStatus) {
  const out: Record<string, unknown> = {
    annotations: a.annotations,
    endsAt: apiTime(a.endsAt),
    fingerprint: a.fingerprint,
    receivers: receivers.map((name) => ({ name })),
    startsAt: apiTime(a.startsAt),
    status,
    updatedAt: apiTime(a.updatedAt),
  };
  if (a.generatorURL !== "") out["generatorURL"] = a.generatorURL;
  out["labels"] = a.labels;
  return out;
}

export function gettableSilence(s: Silence, state: SilenceState) {
  return {
    id: s.id,
    status: { state },
    updatedAt: apiTime(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: apiTime(s.endsAt),
    matchers: s.matchers.map((m) => ({ isEqual: m.isEqual, isRegex: m.isRegex, name: m.name, value: m.value })),
    startsAt: apiTime(s.startsAt),
  };
}

export class ApiInputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw new ApiInputError(`${what} in body must be of type object`, 422);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") throw new ApiInputError(`${what}.${k} in body must be of type string`, 422);
    out[k] = x;
  }
  return out;
}

/** An RFC 3339 time to ms; undefined for absent (Go's zero time). */
export function parseApiTime(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new ApiInputError(`${what} in body must be of type date-time`, 422);
  const ms = Date.parse(v);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v)) {
    throw new ApiInputError(`${what} in body must be of type date-time: "${v}"`, 422);
  }
  // Go's zero time as clients print it means "unset".
  if (ms <= -62135596800000) return undefined;
  return ms;
}

export interface PostedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number | undefined;
  endsAt: number | undefined;
  generatorURL: string;
}

export function parsePostableAlerts(body: unknown): PostedAlert[] {
  if (!Array.isArray(body)) throw new ApiInputError("alerts in body must be of type array", 422);
  return body.map((a, i) => {
    if (!isRecord(a)) throw new ApiInputError(`${i} in body must be of type object`, 422);
    if (a["labels"] === undefined) throw new ApiInputError(`${i}.labels in body is required`, 422);
    return {
      labels: stringMap(a["labels"], `${i}.labels`),
      annotations: stringMap(a["annotations"], `${i}.annotations`),
      startsAt: parseApiTime(a["startsAt"], `${i}.startsAt`),
      endsAt: parseApiTime(a["endsAt"], `${i}.endsAt`),
      generatorURL: typeof a["generatorURL"] === "string" ? a["generatorURL"] : "",
    };
  });
}

export interface PostedSilence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export function parsePostableSilence(body: unknown): PostedSilence {
  if (!isRecord(body)) throw new ApiInputError("silence in body must be of type object", 422);
  for (const f of ["matchers", "startsAt", "endsAt", "createdBy", "comment"]) {
    if (body[f] === undefined) throw new ApiInputError(`${f} in body is required`, 422);
  }
  if (!Array.isArray(body["matchers"])) throw new ApiInputError("matchers in body must be of type array", 422);
  const matchers = body["matchers"].map((m, i) => {
    if (!isRecord(m) || typeof m["name"] !== "string" || typeof m["value"] !== "string" || typeof m["isRegex"] !== "boolean") {
      throw new ApiInputError(`matchers.${i} in body must have name, value and isRegex`, 422);
    }
    return { name: m["name"], value: m["value"], isRegex: m["isRegex"], isEqual: typeof m["isEqual"] === "boolean" ? m["isEqual"] : true };
  });
  return {
    id: typeof body["id"] === "string" ? body["id"] : "",
    matchers,
    startsAt: parseApiTime(body["startsAt"], "startsAt") ?? 0,
    endsAt: parseApiTime(body["endsAt"], "endsAt") ?? 0,
    createdBy: String(body["createdBy"]),
    comment: String(body["comment"]),
  };
}
