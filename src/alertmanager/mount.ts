// Where a tier serves its Alertmanager and how requests reach the object.

/** Like `--web.route-prefix=/alertmanager`: amtool takes `--alertmanager.url=<tier>/alertmanager`. */
export const ALERTMANAGER_PREFIX = "/alertmanager";

export function alertmanagerObjectName(tier: string): string {
  return `${tier}/alertmanager`;
}

/** The same request with the mount prefix taken off the path. */
export function stripPrefix(req: Request, prefix: string): Request {
  const u = new URL(req.url);
  u.pathname = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) || "/" : u.pathname;
  return new Request(u.toString(), req);
}

/** The host name prometheus.yml uses for the tier's own Alertmanager:
 * `alerting: {alertmanagers: [{static_configs: [{targets: [edge-alertmanager]}]}]}`.
 * A Worker cannot fetch its own public URL, so requests to it go to the object. */
export const EDGE_ALERTMANAGER_HOST = "edge-alertmanager";

type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

/** fetch, except that requests to EDGE_ALERTMANAGER_HOST reach the tier's object. */
export function edgeAlertmanagerFetch(stub: () => { fetch(req: Request): Promise<Response> } | undefined): Fetcher {
  return (url, init) => {
    const u = new URL(url);
    const target = u.hostname === EDGE_ALERTMANAGER_HOST ? stub() : undefined;
    if (target === undefined) return fetch(url, init);
    return target.fetch(stripPrefix(new Request(u.toString(), init), ALERTMANAGER_PREFIX));
  };
}
