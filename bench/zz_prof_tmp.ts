import { nodeExporterPage } from "./textparse.js";
import { parseExposition } from "../src/textparse/index.js";
const page = nodeExporterPage("text");
let n = 0; const t0 = performance.now();
for (let i = 0; i < 2000; i++) n += parseExposition(page, "text").length;
console.log(n, (performance.now() - t0) / 2000, "ms/page");
