/**
 * The Content-Type and Content-Encoding checks of Prometheus' remote-write receiver
 * (client_golang's remote API handler, which Prometheus 3 serves), with its messages.
 * Only remote write 1.0 (`prometheus.WriteRequest`, snappy) is received here. Senders
 * that omit either header are assumed to send 1.0 with snappy, as Prometheus assumes.
 * Refusing a 2.0 body with 415 matters: its fields are unknown to the 1.0 schema, so
 * decoding it anyway would store nothing and still answer 204.
 */

const PROTOBUF_MEDIA_TYPE = "application/x-protobuf";
const SNAPPY = "snappy";
const V1_MESSAGE = "prometheus.WriteRequest";
const KNOWN_MESSAGES = [V1_MESSAGE, "io.prometheus.write.v2.Request"];

/** The 415 message for a request this receiver cannot read, or undefined. */
export function unsupportedWriteMedia(headers: Headers): string | undefined {
  const encoding = headers.get("content-encoding") ?? "";
  if (encoding !== "" && encoding !== SNAPPY) {
    return `${encoding} encoding (compression) is not accepted by this server; only ${SNAPPY} is acceptable`;
  }
  const contentType = (headers.get("content-type") ?? "").trim() || PROTOBUF_MEDIA_TYPE;
  const parts = contentType.split(";");
  if (parts[0] !== PROTOBUF_MEDIA_TYPE) {
    return `expected ${PROTOBUF_MEDIA_TYPE} as the first (media) part, got ${contentType} content-type`;
  }
  let message = V1_MESSAGE;
  for (const p of parts.slice(1)) {
    const pair = p.split("=");
    if (pair.length !== 2) {
      return `as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected parameters to be key-values, got ${p} in ${contentType} content-type`;
    }
    if (pair[0] !== "proto") continue;
    message = pair[1]!;
    if (!KNOWN_MESSAGES.includes(message)) {
      return `got ${contentType} content type; unknown type for remote write protobuf message ${message}, supported: ${KNOWN_MESSAGES.join(", ")}`;
    }
    break;
  }
  if (message !== V1_MESSAGE) return `${message} protobuf message is not accepted by this server; only accepts ${V1_MESSAGE}`;
  return undefined;
}
