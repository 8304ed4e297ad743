import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EDGEPROM_VERSION, PROMETHEUS_API_VERSION } from "../../src/model/version.js";

describe("version", () => {
  it("is package.json's", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(EDGEPROM_VERSION).toBe(pkg.version);
  });

  it("reads as Prometheus 3 to clients that compare versions", () => {
    expect(PROMETHEUS_API_VERSION).toMatch(/^3\.\d+\.\d+\+edgeprom\./);
  });
});
