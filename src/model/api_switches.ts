/**
 * Prometheus' --web.enable-admin-api and --web.enable-lifecycle (and the
 * Pushgateway's --web.enable-admin-api), from Worker vars: off unless the var is
 * "true" or a WRITE_TOKEN is set, so a deployment without a token never exposes
 * deletion, wiping or reloading to anyone who finds its URL. With a token the
 * endpoints are on and still need it.
 */
export interface ApiSwitches {
  adminApi: boolean;
  lifecycle: boolean;
}

export function apiSwitchesFrom(vars: { readonly WRITE_TOKEN?: string; readonly ENABLE_ADMIN_API?: string; readonly ENABLE_LIFECYCLE?: string }): ApiSwitches {
  const token = typeof vars.WRITE_TOKEN === "string" && vars.WRITE_TOKEN !== "";
  const on = (name: "ENABLE_ADMIN_API" | "ENABLE_LIFECYCLE") => token || vars[name] === "true";
  return { adminApi: on("ENABLE_ADMIN_API"), lifecycle: on("ENABLE_LIFECYCLE") };
}
