import { describe, expect, it } from "vitest";
import { alertsPath, cleanPath, formatURL, joinPath } from "../../src/notifier/go_url.js";

describe("Go path and URL forms", () => {
  it("cleans paths as Go's path.Clean", () => {
    const cases: [string, string][] = [
      ["", "."],
      ["/", "/"],
      ["abc", "abc"],
      ["abc/def/", "abc/def"],
      ["//abc//def//", "/abc/def"],
      ["/./abc/./", "/abc"],
      ["abc/../../x", "../x"],
      ["/../x", "/x"],
      ["a/b/../c/.", "a/c"],
    ];
    for (const [in_, out] of cases) expect(cleanPath(in_), in_).toBe(out);
  });

  it("joins as Go's path.Join, skipping empty elements", () => {
    expect(joinPath("a", "b", "c")).toBe("a/b/c");
    expect(joinPath("a", "", "c")).toBe("a/c");
    expect(joinPath("", "")).toBe("");
    expect(joinPath("/", "", "/api/v2/alerts")).toBe("/api/v2/alerts");
  });

  it("puts the alerts path under path_prefix however it is written", () => {
    expect(alertsPath("", "v2")).toBe("/api/v2/alerts");
    expect(alertsPath("/", "v2")).toBe("/api/v2/alerts");
    expect(alertsPath("alertmanager", "v2")).toBe("/alertmanager/api/v2/alerts");
    expect(alertsPath("/alertmanager/", "v2")).toBe("/alertmanager/api/v2/alerts");
    expect(alertsPath("/a//b/../c", "v2")).toBe("/a/c/api/v2/alerts");
  });

  it("formats URLs as url.URL.String: host kept as written, path escaped", () => {
    expect(formatURL("http", "am.example:80", "/api/v2/alerts")).toBe("http://am.example:80/api/v2/alerts");
    expect(formatURL("https", "AM.Example", "/api/v2/alerts")).toBe("https://AM.Example/api/v2/alerts");
    expect(formatURL("http", "[::1]:9093", "/api/v2/alerts")).toBe("http://[::1]:9093/api/v2/alerts");
    expect(formatURL("http", "h", "/a b/ü?#/$&+,:;=@")).toBe("http://h/a%20b/%C3%BC%3F%23/$&+,:;=@");
    expect(formatURL("http", "h", "rel")).toBe("http://h/rel");
    expect(formatURL("http", "", "/x")).toBe("http:///x");
  });
});
