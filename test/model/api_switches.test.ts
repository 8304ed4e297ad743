import { describe, expect, it } from "vitest";
import { apiSwitchesFrom } from "../../src/model/api_switches.js";

describe("apiSwitchesFrom", () => {
  it("keeps the admin and lifecycle APIs off unless enabled or a write token is set", () => {
    expect(apiSwitchesFrom({})).toEqual({ adminApi: false, lifecycle: false });
    expect(apiSwitchesFrom({ ENABLE_ADMIN_API: "1", ENABLE_LIFECYCLE: "yes", WRITE_TOKEN: "" })).toEqual({ adminApi: false, lifecycle: false });
    expect(apiSwitchesFrom({ ENABLE_ADMIN_API: "true" })).toEqual({ adminApi: true, lifecycle: false });
    expect(apiSwitchesFrom({ ENABLE_LIFECYCLE: "true" })).toEqual({ adminApi: false, lifecycle: true });
    expect(apiSwitchesFrom({ WRITE_TOKEN: "s3cret" })).toEqual({ adminApi: true, lifecycle: true });
  });
});
