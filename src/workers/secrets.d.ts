// The tiers' secrets (`wrangler secret put NAME`, or .dev.vars locally), added to the
// Env type `npm run types` generates from wrangler.toml: wrangler cannot know them,
// and each is optional. README, "Settings", says what they do.
declare namespace Cloudflare {
  interface Env {
    /** Writes (remote write, pushes, reload, admin) need `Authorization: Bearer <WRITE_TOKEN>`. */
    WRITE_TOKEN?: string;
    /** Every request needs `Bearer <READ_TOKEN>` (or the write token, or basic auth). */
    READ_TOKEN?: string;
    /** Prometheus' web config YAML (`basic_auth_users: {name: bcrypt hash}`). */
    WEB_CONFIG?: string;
  }
}
