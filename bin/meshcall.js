#!/usr/bin/env node
// Runs the compiled entry point; `npm run build` (or the quick start) produces dist/.
import { main } from '../dist/main/cli.js';

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
