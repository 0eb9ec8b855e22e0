// Runs the Playwright end-to-end tests in Debian's Chromium (Playwright's own browser download
// is unavailable here). Without Chromium: a failure in CI, a clear skip on a developer machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromium = process.env.OOC_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const how = 'install it (Debian/Ubuntu: apt-get install -y chromium) or point OOC_CHROMIUM at a Chromium or Chrome binary';
  if (process.env.CI) {
    console.error(`end-to-end tests: no Chromium at ${chromium}; ${how}`);
    process.exit(1);
  }
  console.log(`end-to-end tests SKIPPED: no Chromium at ${chromium}; ${how}`);
  process.exit(0);
}
const result = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
