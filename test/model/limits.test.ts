import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, labelLimitError, limitsFrom } from "../../src/model/limits.js";
import { labelsFromRecord } from "../../src/model/labels.js";

describe("input limits", () => {
  it("read LIMIT_* vars, keeping defaults for missing or unreadable ones and 0 as off", () => {
    expect(limitsFrom({})).toEqual(DEFAULT_LIMITS);
    expect(limitsFrom({ LIMIT_LABELS_PER_SERIES: "8", LIMIT_QUERY_LENGTH: "0", LIMIT_SERIES_PER_PUSH: "lots" })).toEqual({ ...DEFAULT_LIMITS, labelsPerSeries: 8, queryLength: 0 });
  });

  it("name the series and the limit it breaks", () => {
    const limits = { ...DEFAULT_LIMITS, labelsPerSeries: 3, labelValueLength: 5 };
    expect(labelLimitError(labelsFromRecord({ __name__: "m", a: "1", b: "2" }), limits)).toBeUndefined();
    expect(labelLimitError(labelsFromRecord({ __name__: "m", a: "1", b: "2", c: "3" }), limits)).toBe('series m{a="1", b="2", c="3"} has 4 labels, more than the limit of 3');
    expect(labelLimitError(labelsFromRecord({ __name__: "m", a: "123456" }), limits)).toMatch(/^value of label "a" of series m\{a="123456"\}\.\.\. is 6 characters long, more than the limit of 5$/);
    expect(labelLimitError(labelsFromRecord({ __name__: "m", a: "123456" }), { ...limits, labelValueLength: 0 })).toBeUndefined();
  });
});
