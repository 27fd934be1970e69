#!/usr/bin/env node
// The `voltasis` command. Its TypeScript is compiled into ../dist by `npm install` at the
// repository's root (the root's prepare script) or `npm run build -w @voltasis/cli`.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv);
