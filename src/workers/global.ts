import region from "./region.js";

export { Alertmanager } from "../alertmanager/alertmanager_object.js";
export { PushGateway } from "../pushgateway/push_gateway.js";
export { RemoteWriteQueue } from "../remote/remote_write_queue.js";
export { RuleEvaluator } from "../rules/rule_evaluator.js";
export { ScrapeScheduler } from "../scrape/scheduler.js";
export { SeriesStore } from "../tsdb/series_store.js";

/** The global deployment: the same Worker as a region; its prometheus.yml scrapes
 * every region's /federate (honor_labels, match[]), as Prometheus documents
 * hierarchical federation. */
export default region;
