import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // vitest's default is one worker fewer than the cores: on CI's 2 cores that is one, and
    // most of the suite waits on the CLI processes it spawns, so both cores are used instead
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
