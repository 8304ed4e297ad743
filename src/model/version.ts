/** edgeprom's own version: package.json's, repeated here because the Worker bundle
 * does not ship package.json (test/model/version.test.ts keeps the two equal). */
export const EDGEPROM_VERSION = "0.1.0";

/** The Prometheus API level edgeprom answers to, with its own version as build
 * metadata, so clients that compare versions (Grafana) treat it as Prometheus 3. */
export const PROMETHEUS_API_VERSION = `3.0.0+edgeprom.${EDGEPROM_VERSION}`;

/** What edgeprom's clients (remote write, notifier) send as User-Agent. */
export const USER_AGENT = `edgeprom/${EDGEPROM_VERSION}`;
