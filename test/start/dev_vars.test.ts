import { describe, expect, it } from "vitest";
import { parseDevVars } from "../../scripts/start/dev_vars.js";

describe("parseDevVars (wrangler's .dev.vars, dotenv format)", () => {
  it("reads plain, quoted, exported and commented lines", () => {
    const text = [
      "# secrets for npm start",
      "WRITE_TOKEN=abc123",
      "export READ_TOKEN = 'single $quoted # not a comment'",
      'EXTERNAL_URL="http://localhost:9090/prom" # a comment',
      "STORAGE_RETENTION=2d   # two days",
      "",
      'WEB_CONFIG="basic_auth_users:',
      '  admin: \\"$2y$10$abc\\""',
      'ESCAPES="a\\tb\\nc"',
    ].join("\n");
    expect(Object.fromEntries(parseDevVars(text))).toEqual({
      WRITE_TOKEN: "abc123",
      READ_TOKEN: "single $quoted # not a comment",
      EXTERNAL_URL: "http://localhost:9090/prom",
      STORAGE_RETENTION: "2d",
      WEB_CONFIG: 'basic_auth_users:\n  admin: "$2y$10$abc"',
      ESCAPES: "a\tb\nc",
    });
  });

  it("reads CRLF files", () => {
    expect(Object.fromEntries(parseDevVars("A=1\r\nB='2'\r\n"))).toEqual({ A: "1", B: "2" });
  });

  it.each([
    ["not an assignment", "WRITE_TOKEN", /x:1: expected KEY=value/],
    ["an unterminated quote", 'A=1\nB="open\nC=3', /x:2: B: unterminated " quote/],
    ["text after the closing quote", "A='v' trailing", /x:1: A: unexpected text after the closing quote/],
    ["a bad name", "1A=2", /x:1: expected KEY=value/],
  ])("refuses %s with the line number", (_, text, message) => {
    expect(() => parseDevVars(text, "x")).toThrow(message);
  });
});
