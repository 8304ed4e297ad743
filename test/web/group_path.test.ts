import { describe, expect, it } from "vitest";
import { base64url, groupPath } from "../../src/web/client/push/group_path.js";

describe("Pushgateway group paths", () => {
  it("puts job first and the other grouping labels after it", () => {
    expect(groupPath({ job: "backup", instance: "db1" })).toBe("/metrics/job/backup/instance/db1");
    expect(groupPath({ zone: "b", job: "j", app: "a" })).toBe("/metrics/job/j/app/a/zone/b");
  });

  it("base64url-encodes values with a slash, and empty values, as the Pushgateway requires", () => {
    expect(groupPath({ job: "cleaner", path: "/var/tmp" })).toBe(`/metrics/job/cleaner/path@base64/${base64url("/var/tmp")}`);
    expect(base64url("/var/tmp")).toBe("L3Zhci90bXA=");
    expect(groupPath({ job: "a/b" })).toBe("/metrics/job@base64/YS9i");
    expect(groupPath({ job: "j", empty: "" })).toBe("/metrics/job/j/empty@base64/=");
    expect(groupPath({ job: "späce x" })).toBe("/metrics/job/sp%C3%A4ce%20x");
    // base64url's alphabet: no '+' or '/' in the path.
    expect(base64url("\u00fb\u00ff/")).not.toMatch(/[+/]/);
  });
});
