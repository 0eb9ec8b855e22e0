// After `npm ci`: fetch ONNX Runtime's CUDA provider files, which are too large for the npm
// registry (onnxruntime-node's own install script downloads them from NuGet on Linux x64).
// That script is switched off in package.json's allowScripts so that an offline install does
// not fail: it runs here instead, and a failure is reported without failing the install. CPU
// and WebGPU need nothing extra. `npm run setup:gpu` retries and fails loudly.
// ONNXRUNTIME_NODE_INSTALL=skip skips it (CI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const required = process.argv.includes('--required');
if (process.env.ONNXRUNTIME_NODE_INSTALL === 'skip' && !required) process.exit(0);

let packageDir;
try {
  packageDir = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
} catch {
  process.exit(0); // not installed (yet)
}
const script = path.join(packageDir, 'script', 'install.js');
if (!existsSync(script)) process.exit(0);

// Run it as a dependency install would, not as onnxruntime's own `npm ci`, which it skips.
const env = { ...process.env };
delete env.npm_config_local_prefix;
delete env.npm_package_json;
if (env.ONNXRUNTIME_NODE_INSTALL === 'skip') delete env.ONNXRUNTIME_NODE_INSTALL;
const result = spawnSync(process.execPath, [script], { cwd: packageDir, env, encoding: 'utf8', timeout: 10 * 60 * 1000 });
if (result.status === 0) process.exit(0);

const reason = (result.error?.message ?? `${result.stderr}`.split('\n').find((l) => /Error|error:/.test(l)) ?? `exit ${result.status}`).trim();
process.stderr.write(
  `\nONNX Runtime's CUDA provider was not downloaded (${reason}).\n` +
    `CLIP runs on the CPU (and WebGPU where there is a GPU). With a network, run \`npm run setup:gpu\` to add CUDA.\n\n`,
);
process.exit(required ? 1 : 0);
