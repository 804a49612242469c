#!/usr/bin/env node
// The `mailpen` bin: there is no build step, so register tsx's loader and run the TypeScript entry.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
