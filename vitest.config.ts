import { defineConfig } from "vitest/config";

// Two projects: "unit" is pure code (npm run check); "integration" talks to real servers
// started by the test harness (CI installs them). `npm test` runs both.
export const config = defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "core/**/*.test.ts",
            "bots/**/*.test.ts",
            "test/unit/**/*.test.ts",
            "startup.test.ts",
          ],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/setup/servers.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
// eslint-disable-next-line no-restricted-syntax -- vitest loads the default export
export default config;
