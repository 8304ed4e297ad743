import { parseArgs } from "node:util";
import { startFederation } from "./federation.js";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: process.env.EDGEPROM_DATA ?? ".edgeprom" },
    host: { type: "string", default: process.env.EDGEPROM_HOST ?? "127.0.0.1" },
    "global-port": { type: "string", default: process.env.EDGEPROM_GLOBAL_PORT ?? "9090" },
    "region-a-port": { type: "string", default: process.env.EDGEPROM_REGION_A_PORT ?? "9091" },
    "region-b-port": { type: "string", default: process.env.EDGEPROM_REGION_B_PORT ?? "9092" },
    quiet: { type: "boolean", default: false },
  },
});

const started = Date.now();
console.log(`edgeprom: starting the local federation (state in ${values.data}/)`);
const fed = await startFederation({
  dataDir: values.data!,
  host: values.host!,
  ports: { global: Number(values["global-port"]), "local-a": Number(values["region-a-port"]), "local-b": Number(values["region-b-port"]) },
  log: values.quiet ? undefined : (line) => console.log(line),
});
console.log(`edgeprom: ready in ${((Date.now() - started) / 1000).toFixed(1)}s
  global   ${fed.urls.global}     (PromQL API, UI)
  local-a  ${fed.urls["local-a"]}     (region: remote write at /api/v1/write)
  local-b  ${fed.urls["local-b"]}
Press Ctrl-C to stop.`);

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    console.log("edgeprom: stopping");
    await fed.stop();
    process.exit(0);
  });
}
