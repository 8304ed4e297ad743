import region from "./region.js";

export { Alertmanager } from "../alertmanager/alertmanager_object.js";
export { PushGateway, RemoteWriteQueue, RuleEvaluator, ScrapeScheduler, SeriesStore } from "./objects.js";

/** The global deployment: the same Worker as a region; its prometheus.yml scrapes
 * every region's /federate (honor_labels, match[]), as Prometheus documents
 * hierarchical federation. */
export default region;
