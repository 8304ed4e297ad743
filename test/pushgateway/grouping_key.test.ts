import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GroupingKeyError, groupingKeyFor, groupingPath, parsePushPath } from "../../src/pushgateway/grouping_key.js";
import { holds } from "../support/property.js";

describe("push paths", () => {
  it("reads the job and label pairs of a push path", () => {
    expect(parsePushPath("/metrics/job/backup")).toEqual({ job: "backup" });
    expect(parsePushPath("/metrics/job/backup/")).toEqual({ job: "backup" });
    expect(parsePushPath("/metrics/job/backup/instance/db1/zone/a")).toEqual({ job: "backup", instance: "db1", zone: "a" });
  });

  it("decodes @base64 values, URL-safe, with or without padding, = for empty", () => {
    expect(parsePushPath("/metrics/job@base64/YmFja3VwL2RhaWx5")).toEqual({ job: "backup/daily" });
    expect(parsePushPath("/metrics/job/j/path@base64/L3Zhci90bXA=")).toEqual({ job: "j", path: "/var/tmp" });
    expect(parsePushPath("/metrics/job/j/path@base64/L3Zhci90bXA")).toEqual({ job: "j", path: "/var/tmp" });
    expect(parsePushPath("/metrics/job/j/instance@base64/=")).toEqual({ job: "j", instance: "" });
    expect(parsePushPath("/metrics/job/j/v@base64/YT8-Yn4")).toEqual({ job: "j", v: "a?>b~" });
  });

  it("answers the Go gateway's messages for bad paths", () => {
    const err = (p: string) => {
      try {
        parsePushPath(p);
      } catch (e) {
        expect(e).toBeInstanceOf(GroupingKeyError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err("/metrics/job/x/odd")).toBe('odd number of components in label string "/odd"');
    expect(err("/metrics/job/x/__name__/v")).toBe('improper label name "__name__"');
    expect(err("/metrics/job/x/1abc/v")).toBe('improper label name "1abc"');
    expect(err("/metrics/job/x/a@base64/!!")).toBe('invalid base64 encoding for label a="!!": illegal base64 data at input byte 0');
    expect(err("/metrics/job@base64/a")).toBe('invalid base64 encoding in job name "a": illegal base64 data at input byte 0');
    expect(err("/metrics/job@base64/=")).toBe("job name is required");
    expect(parsePushPath("/metrics/jobs/x")).toBeNull();
    expect(parsePushPath("/metrics/job/")).toBeNull();
  });

  it("builds paths that read back to the same labels, whatever the values hold", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).filter((n) => n !== "job");
    holds(
      fc.property(fc.string(), fc.dictionary(name, fc.string(), { maxKeys: 4 }), (job, rest) => {
        fc.pre(job !== "");
        const labels = { ...rest, job };
        const path = groupingPath(labels);
        // The router sees the path percent-decoded, as Go's does.
        expect(parsePushPath(decodeURIComponent(path))).toEqual(labels);
      }),
    );
  });

  it("keys groups by their sorted labels", () => {
    expect(groupingKeyFor({ job: "a", instance: "b" })).toBe(groupingKeyFor({ instance: "b", job: "a" }));
    expect(groupingKeyFor({ job: "a" })).not.toBe(groupingKeyFor({ job: "a", instance: "" }));
  });
});
