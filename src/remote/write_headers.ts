/**
 * The Content-Type and Content-Encoding checks of Prometheus' remote-write receiver
 * (client_golang's remote API handler, which Prometheus 3 serves), with its messages.
 * Remote write 1.0 (`prometheus.WriteRequest`) and 2.0 (`io.prometheus.write.v2.Request`)
 * are received, snappy-compressed. Senders that omit either header are assumed to send
 * 1.0 with snappy, as Prometheus assumes. The message type decides the decoder: a 2.0
 * body read as 1.0 would store nothing and still answer 204.
 */

const PROTOBUF_MEDIA_TYPE = "application/x-protobuf";
const SNAPPY = "snappy";
export const V1_MESSAGE = "prometheus.WriteRequest";
export const V2_MESSAGE = "io.prometheus.write.v2.Request";
const KNOWN_MESSAGES = [V1_MESSAGE, V2_MESSAGE];

export type WriteMessage = typeof V1_MESSAGE | typeof V2_MESSAGE;

/** The protobuf message a request carries, or the 415 message when this receiver
 * cannot read it. */
export function writeMessage(headers: Headers): { message: WriteMessage } | { unsupported: string } {
  const encoding = headers.get("content-encoding") ?? "";
  if (encoding !== "" && encoding !== SNAPPY) {
    return { unsupported: `${encoding} encoding (compression) is not accepted by this server; only ${SNAPPY} is acceptable` };
  }
  const contentType = (headers.get("content-type") ?? "").trim() || PROTOBUF_MEDIA_TYPE;
  const parts = contentType.split(";");
  if (parts[0] !== PROTOBUF_MEDIA_TYPE) {
    return { unsupported: `expected ${PROTOBUF_MEDIA_TYPE} as the first (media) part, got ${contentType} content-type` };
  }
  for (const p of parts.slice(1)) {
    const pair = p.split("=");
    if (pair.length !== 2) {
      return { unsupported: `as per https://www.rfc-editor.org/rfc/rfc9110#parameter expected parameters to be key-values, got ${p} in ${contentType} content-type` };
    }
    if (pair[0] !== "proto") continue;
    const message = pair[1]!;
    if (message === V1_MESSAGE || message === V2_MESSAGE) return { message };
    return { unsupported: `got ${contentType} content type; unknown type for remote write protobuf message ${message}, supported: ${KNOWN_MESSAGES.join(", ")}` };
  }
  return { message: V1_MESSAGE };
}
