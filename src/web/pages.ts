/** The UI's pages, shared by the Worker (which serves a shell for each path) and the
 * browser code (navigation). `on` says which tiers link to the page in their navigation;
 * every tier serves every page. */
export interface PageInfo {
  id: "query" | "alerts" | "alertmanager" | "rules" | "targets" | "federation" | "push" | "status";
  path: string;
  title: string;
  on: "all" | "global" | "region";
}

export const PAGES: readonly PageInfo[] = [
  { id: "query", path: "/query", title: "Query", on: "all" },
  { id: "alerts", path: "/alerts", title: "Alerts", on: "all" },
  { id: "alertmanager", path: "/am", title: "Alertmanager", on: "all" },
  { id: "rules", path: "/rules", title: "Rules", on: "all" },
  { id: "targets", path: "/targets", title: "Targets", on: "all" },
  { id: "federation", path: "/federation", title: "Federation", on: "global" },
  { id: "push", path: "/push", title: "Pushgateway", on: "region" },
  { id: "status", path: "/status", title: "Status", on: "all" },
];

export type PageId = PageInfo["id"];

/** The global tier is named "global" (env TIER); every other name is a region. */
export function isGlobalTier(tier: string): boolean {
  return tier === "global";
}

export function pagesFor(tier: string): PageInfo[] {
  const global = isGlobalTier(tier);
  return PAGES.filter((p) => p.on === "all" || (p.on === "global") === global);
}

export function pageForPath(path: string): PageInfo | undefined {
  return PAGES.find((p) => p.path === path);
}
