// Runs the Playwright end-to-end tests in Debian's Chromium (Playwright's own browser download
// is unavailable here). Without Chromium: a failure in CI, a clear skip on a developer machine.
//
//   node test/e2e/run.mjs [playwright args]            the suite once
//   node test/e2e/run.mjs --busy --runs 5 [args]       five runs in a row while a `yes` per core
//                                                      keeps every core busy (started and stopped here)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';

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

const args = process.argv.slice(2);
const busy = args.includes('--busy');
const runsAt = args.indexOf('--runs');
const runs = runsAt === -1 ? 1 : Number(args[runsAt + 1]);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a whole number of runs');
  process.exit(2);
}
const playwrightArgs = args.filter((a, i) => a !== '--busy' && (runsAt === -1 || (i !== runsAt && i !== runsAt + 1)));

const hogs = busy ? os.cpus().map(() => spawn('yes', { stdio: ['ignore', 'ignore', 'ignore'] })) : [];
const stopHogs = () => hogs.forEach((h) => h.kill());
process.on('exit', stopHogs);
if (busy) console.log(`keeping ${hogs.length} cores busy (yes > /dev/null each) for ${runs} run(s)`);

let status = 0;
for (let run = 1; run <= runs && status === 0; run++) {
  if (runs > 1) console.log(`\nrun ${run} of ${runs}`);
  status = spawnSync('npx', ['playwright', 'test', ...playwrightArgs], { stdio: 'inherit' }).status ?? 1;
}
stopHogs();
process.exit(status);
