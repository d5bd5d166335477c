/**
 * Loaded with `node --import` into a process the bench starts: on exit it writes the process's
 * peak resident set (KiB, all threads together) to $IONFLUX_BENCH_RSS_FILE.
 */
import { writeFileSync } from "node:fs";

const target = process.env.IONFLUX_BENCH_RSS_FILE;
if (target) process.on("exit", () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
