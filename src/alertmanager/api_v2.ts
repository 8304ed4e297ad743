// Alertmanager's v2 HTTP API (what Prometheus' notifier, amtool and Grafana call):
// alerts in and out, alert groups, silences, receivers, status; plus /-/healthy,
// /-/ready and /-/reload.
import { Hono } from "hono";
import { compareAlerts, newAlert, resolvedAt, type AmAlert } from "./alert.js";
import { AmRegexError, amRegex, matchAll, type AmMatcher } from "./am_matcher.js";
import { ApiInputError, gettableAlert, gettableSilence, parsePostableAlerts, parsePostableSilence } from "./api_json.js";
import { compareLabelSets } from "./alert.js";
import type { Dispatcher } from "./dispatcher.js";
import { MatcherParseError, parseMatchers } from "./matcher_parse.js";
import { silenceState, SilenceError, validateSilence, type Silence } from "./silence.js";

export interface AlertmanagerHost {
  dispatcher: Dispatcher;
  now(): number;
  /** Loads or refreshes the configuration; the API answers 503 while none is valid. */
  ready(): Promise<{ ok: boolean; error: string }>;
  reload(): Promise<{ ok: boolean; error: string }>;
  configText(): string;
  resolveTimeoutMs(): number;
  startedAt: number;
  /** State changed: the host re-arms its alarm. */
  changed(): Promise<void>;
  newId(): string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VERSION = "0.25.0";

function goDuration(ms: number): string {
  // Go's Duration.String() for the uptime, to the millisecond.
  let s = "";
  const h = Math.floor(ms / 3600_000);
  const m = Math.floor((ms % 3600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  if (h > 0) s += `${h}h`;
  if (h > 0 || m > 0) s += `${m}m`;
  return `${s}${sec}s`;
}

function boolParam(v: string | undefined, def: boolean): boolean {
  if (v === undefined) return def;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new ApiInputError(`parsing ${v} as bool`);
}

function filterMatchers(filters: string[]): AmMatcher[] {
  const out: AmMatcher[] = [];
  for (const f of filters) {
    try {
      out.push(...parseMatchers(f));
    } catch (e) {
      if (e instanceof MatcherParseError || e instanceof AmRegexError) throw new ApiInputError(e.message);
      throw e;
    }
  }
  return out;
}

function errorJSON(e: unknown): Response {
  if (e instanceof ApiInputError) return Response.json(e.message, { status: e.status });
  if (e instanceof SilenceError) return Response.json(e.message, { status: 400 });
  throw e;
}

export function alertmanagerApi(host: AlertmanagerHost): Hono {
  const app = new Hono();
  const d = host.dispatcher;

  app.get("/-/healthy", (c) => c.text("OK"));
  app.get("/-/ready", async (c) => ((await host.ready()).ok ? c.text("OK") : c.text("Service Unavailable", 503)));
  app.post("/-/reload", async (c) => {
    const r = await host.reload();
    return r.ok ? c.text("") : c.text(`failed to reload config: ${r.error}`, 500);
  });

  // Every API call needs a loaded configuration.
  app.use("/api/v2/*", async (c, next) => {
    const r = await host.ready();
    if (!r.ok) return c.json(`no valid Alertmanager configuration: ${r.error}`, 503);
    await next();
  });

  app.get("/api/v2/status", (c) =>
    c.json({
      cluster: { peers: [], status: "disabled" },
      config: { original: host.configText() },
      uptime: new Date(host.startedAt).toISOString(),
      versionInfo: { branch: "edgeprom", buildDate: "", buildUser: "edgeprom", goVersion: "workerd", revision: "", version: VERSION },
    }),
  );

  app.get("/api/v2/receivers", (c) => c.json((d.currentConfig?.receivers ?? []).map((r) => ({ name: r.name }))));

  const alertView = (a: AmAlert, now: number) => {
    const silencedBy = d.silencedBy(a.labels, now);
    const inhibitedBy = d.inhibitedBy(a.labels, now);
    const state: "active" | "suppressed" = silencedBy.length > 0 || inhibitedBy.length > 0 ? "suppressed" : "active";
    return { silencedBy, inhibitedBy, state };
  };

  /** The filters GET /alerts and /alerts/groups share. */
  const alertFilter = (q: (k: string) => string | undefined, filters: string[]) => {
    const active = boolParam(q("active"), true);
    const silenced = boolParam(q("silenced"), true);
    const inhibited = boolParam(q("inhibited"), true);
    const matchers = filterMatchers(filters);
    const rx = q("receiver");
    let receiverRe;
    try {
      receiverRe = rx === undefined || rx === "" ? undefined : amRegex(rx);
    } catch (e) {
      if (e instanceof AmRegexError) throw new ApiInputError(`failed to parse receiver param: ${e.message}`);
      throw e;
    }
    return (a: AmAlert, receivers: string[], st: ReturnType<typeof alertView>) => {
      if (receiverRe !== undefined && !receivers.some((r) => receiverRe.test(r))) return false;
      if (!matchAll(matchers, a.labels)) return false;
      if (!active && st.state === "active") return false;
      if (!silenced && st.silencedBy.length > 0) return false;
      if (!inhibited && st.inhibitedBy.length > 0) return false;
      return true;
    };
  };

  app.get("/api/v2/alerts", (c) => {
    try {
      const now = host.now();
      const keep = alertFilter((k) => c.req.query(k), c.req.queries("filter") ?? []);
      const out = [];
      for (const a of d.alerts.values()) {
        if (resolvedAt(a, now)) continue;
        const receivers = d.receiversFor(a.labels);
        const st = alertView(a, now);
        if (!keep(a, receivers, st)) continue;
        out.push(gettableAlert(a, receivers, st));
      }
      out.sort((x, y) => ((x["fingerprint"] as string) < (y["fingerprint"] as string) ? -1 : 1));
      return c.json(out);
    } catch (e) {
      return errorJSON(e);
    }
  });

  app.post("/api/v2/alerts", async (c) => {
    let posted;
    try {
      posted = parsePostableAlerts(await c.req.json().catch(() => {
        throw new ApiInputError("parsing alerts body: invalid JSON");
      }));
    } catch (e) {
      return errorJSON(e);
    }
    const now = host.now();
    const errors: string[] = [];
    const valid: AmAlert[] = [];
    for (const p of posted) {
      const labels = Object.fromEntries(Object.entries(p.labels).filter(([, v]) => v !== ""));
      let startsAt = p.startsAt;
      let endsAt = p.endsAt;
      let timeout = false;
      if (startsAt === undefined) startsAt = endsAt ?? now;
      if (endsAt === undefined) {
        timeout = true;
        endsAt = now + host.resolveTimeoutMs();
      }
      const err = validateAlert(labels, p.annotations, startsAt, endsAt);
      if (err !== undefined) {
        errors.push(err);
        continue;
      }
      valid.push(newAlert({ labels, annotations: p.annotations, startsAt, endsAt, generatorURL: p.generatorURL, updatedAt: now, timeout }));
    }
    d.put(valid, now);
    await host.changed();
    if (errors.length > 0) return c.json(errors.join("; "), 400);
    return c.body(null, 200);
  });

  app.get("/api/v2/alerts/groups", (c) => {
    try {
      const now = host.now();
      const keep = alertFilter((k) => c.req.query(k), c.req.queries("filter") ?? []);
      const groups = [];
      for (const g of d.groups.values()) {
        const alerts = Object.values(g.alerts)
          .filter((a) => !resolvedAt(a, now))
          .sort(compareAlerts)
          .flatMap((a) => {
            const st = alertView(a, now);
            const current = d.alerts.get(a.fingerprint) ?? a;
            return keep(current, [g.receiver], st) ? [gettableAlert(current, d.receiversFor(current.labels), st)] : [];
          });
        if (alerts.length === 0) continue;
        groups.push({ alerts, labels: g.labels, receiver: { name: g.receiver } });
      }
      groups.sort((x, y) => compareLabelSets(x.labels, y.labels) || (x.receiver.name < y.receiver.name ? -1 : x.receiver.name > y.receiver.name ? 1 : 0));
      return c.json(groups);
    } catch (e) {
      return errorJSON(e);
    }
  });

  // ---- silences ----------------------------------------------------------------

  app.get("/api/v2/silences", (c) => {
    let matchers: AmMatcher[];
    try {
      matchers = filterMatchers(c.req.queries("filter") ?? []);
    } catch (e) {
      return errorJSON(e);
    }
    const now = host.now();
    const rank = { active: 0, pending: 1, expired: 2 } as const;
    const list = [...d.silences.values()]
      .filter((s) => matchers.every((m) => s.matchers.some((sm) => sm.name === m.name && matchesSilenceMatcher(m, sm))))
      .map((s) => ({ s, st: silenceState(s, now) }))
      .sort((a, b) => {
        if (a.st !== b.st) return rank[a.st] - rank[b.st];
        if (a.st === "active") return a.s.endsAt - b.s.endsAt;
        if (a.st === "pending") return a.s.startsAt - b.s.startsAt;
        return b.s.endsAt - a.s.endsAt;
      });
    return c.json(list.map(({ s, st }) => gettableSilence(s, st)));
  });

  app.post("/api/v2/silences", async (c) => {
    try {
      const p = parsePostableSilence(await c.req.json().catch(() => {
        throw new ApiInputError("parsing silence body: invalid JSON");
      }));
      const now = host.now();
      if (p.startsAt >= p.endsAt) throw new ApiInputError("Failed to create silence: start time must be before end time");
      if (p.endsAt < now) throw new ApiInputError("Failed to create silence: end time can't be in the past");
      const prev = p.id === "" ? undefined : d.silences.get(p.id);
      if (p.id !== "" && prev === undefined) return c.json("silence not found", 404);
      const sil: Silence = { ...p, updatedAt: now };
      validateSilence(sil, now);
      if (prev !== undefined && canUpdate(prev, sil, now)) {
        d.saveSilence(sil);
      } else {
        if (prev !== undefined && silenceState(prev, now) !== "expired") expire(prev, now);
        sil.id = host.newId();
        if (sil.startsAt < now) sil.startsAt = now;
        d.saveSilence(sil);
      }
      await host.changed();
      return c.json({ silenceID: sil.id });
    } catch (e) {
      return errorJSON(e);
    }
  });

  const expire = (s: Silence, now: number) => {
    const st = silenceState(s, now);
    const next = { ...s, updatedAt: now };
    if (st === "active") next.endsAt = now;
    else if (st === "pending") next.startsAt = next.endsAt = now;
    d.saveSilence(next);
  };

  app.get("/api/v2/silence/:id", (c) => {
    const s = d.silences.get(c.req.param("id"));
    if (s === undefined) return c.body(null, 404);
    return c.json(gettableSilence(s, silenceState(s, host.now())));
  });

  app.delete("/api/v2/silence/:id", async (c) => {
    const s = d.silences.get(c.req.param("id"));
    if (s === undefined) return c.json("silence not found", 404);
    const now = host.now();
    if (silenceState(s, now) === "expired") return c.json(`silence ${s.id} already expired`, 500);
    expire(s, now);
    await host.changed();
    return c.body(null, 200);
  });

  app.notFound((c) => c.text("404 page not found\n", 404));
  return app;
}

/** types.Alert.Validate and LabelSet.Validate. */
function validateAlert(labels: Record<string, string>, annotations: Record<string, string>, startsAt: number, endsAt: number): string | undefined {
  if (endsAt !== 0 && endsAt < startsAt) return "start time must be before end time";
  if (Object.keys(labels).length === 0) return "at least one label pair required";
  for (const k of Object.keys(labels)) if (!LABEL_NAME.test(k)) return `invalid name "${k}"`;
  for (const k of Object.keys(annotations)) if (!LABEL_NAME.test(k)) return `invalid name "${k}"`;
  return undefined;
}

/** A silence filter matcher selects silences that have a matcher of the same name
 * whose value the filter accepts. */
function matchesSilenceMatcher(f: AmMatcher, sm: { value: string }): boolean {
  return matchAll([f], { [f.name]: sm.value });
}

/** Alertmanager's canUpdate: same matchers; an active silence keeps its start and does
 * not end in the past; a pending one does not start in the past. */
function canUpdate(a: Silence, b: Silence, now: number): boolean {
  if (JSON.stringify(a.matchers) !== JSON.stringify(b.matchers)) return false;
  switch (silenceState(a, now)) {
    case "active":
      return b.startsAt === a.startsAt && b.endsAt >= now;
    case "pending":
      return b.startsAt >= now;
    case "expired":
      return false;
  }
}
