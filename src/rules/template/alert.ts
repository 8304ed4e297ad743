/**
 * What an alerting rule hands to its templates (rules/alerting.go): the data struct
 * `.Labels .ExternalLabels .ExternalURL .Value`, and the definitions Prometheus puts in
 * front of every label and annotation so `$labels`, `$externalLabels`, `$externalURL`
 * and `$value` exist.
 */
import { ANY, GoValue, MAP_STRING_STRING, STRING, f64, iface, stringMap, structType } from "./values.js";

export const ALERT_HEADER =
  "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

export const ALERT_DATA = structType("", false, [
  { name: "Labels", type: MAP_STRING_STRING },
  { name: "ExternalLabels", type: MAP_STRING_STRING },
  { name: "ExternalURL", type: STRING },
  { name: "Value", type: ANY },
]);

/** template.AlertTemplateData. */
export function alertTemplateData(
  labels: Readonly<Record<string, string>>,
  externalLabels: Readonly<Record<string, string>>,
  externalURL: string,
  value: number,
): GoValue {
  return new GoValue(ALERT_DATA, [stringMap(labels), stringMap(externalLabels), new GoValue(STRING, externalURL), iface(f64(value))]);
}

/** The name Prometheus gives an alerting rule's templates. */
export function alertTemplateName(alertName: string): string {
  return "__alert_" + alertName;
}
