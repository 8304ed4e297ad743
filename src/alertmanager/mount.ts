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
