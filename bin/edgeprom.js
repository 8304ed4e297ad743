#!/usr/bin/env node
// `npx edgeprom ...`: runs scripts/edgeprom.ts through the project's tsx.
import { register } from "tsx/esm/api";

register();
await import("../scripts/edgeprom.ts");
