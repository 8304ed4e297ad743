// `npm start`: the local federation in the foreground. Whatever ends it (Ctrl-C, a
// SIGTERM or SIGHUP to npm, npm itself going away, workerd dying), nothing of it is
// left serving: see scripts/start/supervisor.ts.
import { startFederation } from "./federation.js";
import { firstGraphUrl } from "./start/first_graph.js";
import { parseStartOptions } from "./start/options.js";
import { Supervisor } from "./start/supervisor.js";

const parsed = parseStartOptions(process.argv.slice(2), process.env);
if (parsed.kind === "help") {
  process.stdout.write(parsed.text);
  process.exit(0);
}
if (parsed.kind === "error") {
  process.stderr.write(`edgeprom: ${parsed.message}\n`);
  process.exit(2);
}
const opts = parsed.options;
const say = (line: string) => console.log(`edgeprom: ${line}`);
const supervisor = new Supervisor(say, opts.ports);

const started = Date.now();
say(`starting the local federation (state in ${opts.dataDir}/)`);
const { sources, ignored } = opts.workerVars;
if (Object.keys(sources).length > 0) say(`worker vars for every tier: ${Object.entries(sources).map(([k, from]) => `${k} (${from})`).join(", ")}`);
if (ignored.length > 0) say(`ignored in the dev vars file (not tier settings): ${ignored.join(", ")}`);

let fed;
try {
  fed = await startFederation({
    dataDir: opts.dataDir,
    host: opts.host,
    ports: opts.ports,
    vars: opts.workerVars.vars,
    log: opts.quiet ? undefined : (line) => console.log(line),
    progress: (line) => say(`${line}  (${((Date.now() - started) / 1000).toFixed(1)}s)`),
    onRuntimeExit: () => supervisor.runtimeExited(),
  });
} catch (e) {
  await supervisor.failedToStart(e as Error);
}
supervisor.running(fed!);
say(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s
  global   ${fed!.urls.global}     (PromQL API, UI)
  local-a  ${fed!.urls["local-a"]}     (region: remote write at /api/v1/write)
  local-b  ${fed!.urls["local-b"]}
A first graph (the built-in demo service of both regions, through the global tier;
its lines start with the first scrapes, within a minute):
  ${firstGraphUrl(fed!.urls.global)}
Press Ctrl-C to stop.`);
