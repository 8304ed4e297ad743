import { describe, expect, it } from "vitest";
import {
  contentTypeFor,
  formatForContentType,
  negotiateExposition,
  prefersDelimitedProtobuf,
  OPENMETRICS_CONTENT_TYPE,
  SCRAPE_ACCEPT_HEADER,
  TEXT_CONTENT_TYPE,
} from "../../src/textparse/index.js";

describe("content negotiation", () => {
  it("asks targets for OpenMetrics first, then text, then anything", () => {
    expect(SCRAPE_ACCEPT_HEADER).toBe(
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    );
  });

  it("picks the parser from the response's Content-Type", () => {
    expect(formatForContentType("application/openmetrics-text; version=1.0.0; charset=utf-8")).toBe("openmetrics");
    expect(formatForContentType("Application/OpenMetrics-Text;version=0.0.1")).toBe("openmetrics");
    expect(formatForContentType("text/plain; version=0.0.4; charset=utf-8")).toBe("text");
    expect(formatForContentType("application/json")).toBe("text");
    expect(formatForContentType("")).toBe("text");
    expect(formatForContentType(null)).toBe("text");
  });

  it("serves OpenMetrics to Prometheus' own Accept header", () => {
    expect(negotiateExposition(SCRAPE_ACCEPT_HEADER)).toEqual({ format: "openmetrics", contentType: OPENMETRICS_CONTENT_TYPE });
    expect(OPENMETRICS_CONTENT_TYPE).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
  });

  it("serves text 0.0.4 to browsers, curl, text-only clients and unknown versions", () => {
    const text = { format: "text", contentType: TEXT_CONTENT_TYPE };
    expect(TEXT_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
    for (const accept of [
      undefined,
      null,
      "",
      "*/*",
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "text/plain;version=0.0.4",
      "application/openmetrics-text;version=2.0.0",
      "text/plain;version=0.0.4,application/openmetrics-text;version=1.0.0;q=0.5",
      "application/openmetrics-text;q=0",
    ]) {
      expect(negotiateExposition(accept), String(accept)).toEqual(text);
    }
  });

  it("honours preference order and quoted parameters", () => {
    expect(negotiateExposition('text/plain;q=0.2, application/openmetrics-text; version="1.0.0"; q=0.9').format).toBe(
      "openmetrics",
    );
    expect(negotiateExposition("*/*;q=1, application/openmetrics-text;q=1").format).toBe("openmetrics");
  });

  it("can be restricted to text, as Prometheus' /federate is", () => {
    expect(negotiateExposition(SCRAPE_ACCEPT_HEADER, { allowOpenMetrics: false }).format).toBe("text");
    expect(contentTypeFor("text")).toBe(TEXT_CONTENT_TYPE);
    expect(contentTypeFor("openmetrics")).toBe(OPENMETRICS_CONTENT_TYPE);
  });
});

describe("prefersDelimitedProtobuf", () => {
  const PB = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
  it("follows the most preferred protobuf or text range, as client_golang's Negotiate", () => {
    expect(prefersDelimitedProtobuf(`${PB};q=0.6,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1`)).toBe(true);
    expect(prefersDelimitedProtobuf(`text/plain;version=0.0.4;q=0.7,${PB};q=0.6`)).toBe(false);
    expect(prefersDelimitedProtobuf(`application/openmetrics-text;version=1.0.0,${PB};q=0.9`)).toBe(false);
    // Another message type or encoding is not the delimited MetricFamily stream.
    expect(prefersDelimitedProtobuf("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text")).toBe(false);
    expect(prefersDelimitedProtobuf("application/vnd.google.protobuf;proto=other.Message;encoding=delimited")).toBe(false);
    expect(prefersDelimitedProtobuf(null)).toBe(false);
    expect(prefersDelimitedProtobuf(`${PB};q=0`)).toBe(false);
  });
});
