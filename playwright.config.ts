import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive the real workbench in browser mode (`ooc serve`) in Debian's Chromium:
 * Playwright's own browser download is not available on these machines.
 */
export default defineConfig({
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'browser',
      testDir: 'test/e2e',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.OOC_CHROMIUM ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      },
    },
    {
      // The real desktop app through _electron.launch, wherever an Electron binary is installed.
      name: 'electron',
      testDir: 'test/e2e-electron',
      timeout: 300_000,
    },
  ],
});
