/**
 * Benchmarks, each generating its own full-scale synthetic data and printing ratios against its
 * named baseline, measured side by side in the same run.
 *
 *   npm run bench -- ingest [--fresh]
 *   npm run bench -- browse | facets
 *   npm run bench -- clip | neighbours | pickle
 *   npm run bench -- export | saliency | main-loop
 *   npm run bench -- evaluation | heads [--pairs N] [--mlp] [--keep]
 *   npm run bench -- vetting [--images N] [--queries N] [--jpegs N] [--no-full]
 *   npm run bench -- dgm4
 *   npm run bench -- candidates
 */
import { benchBrowse } from './browse.ts';
import { benchClip, benchNeighbours, benchPickle } from './clip.ts';
import { benchEvaluation } from './evaluation.ts';
import { benchExport } from './export.ts';
import { benchFacets } from './facets.ts';
import { benchHeads } from './heads.ts';
import { benchIngest } from './ingest.ts';
import { benchMainLoop } from './main-loop.ts';
import { benchSaliency } from './saliency.ts';
import { benchVetting } from './vetting.ts';
import { benchDgm4 } from './dgm4.ts';
import { benchCandidates } from './candidates.ts';

const BENCHMARKS: Record<string, (args: string[]) => Promise<void>> = { ingest: benchIngest, browse: benchBrowse, facets: benchFacets, clip: benchClip, neighbours: benchNeighbours, pickle: benchPickle, export: benchExport, saliency: benchSaliency, 'main-loop': benchMainLoop, evaluation: benchEvaluation, heads: benchHeads, vetting: benchVetting, dgm4: benchDgm4, candidates: benchCandidates };

const [name, ...args] = process.argv.slice(2);
const bench = name === undefined ? undefined : BENCHMARKS[name];
if (bench === undefined) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [--fresh]\n`);
  process.exitCode = 2;
} else {
  await bench(args);
}
