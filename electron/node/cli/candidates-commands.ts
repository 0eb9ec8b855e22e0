import { STRATEGIES, STRATEGY_INFO, type CandidateList, type Strategy } from '../../common/candidates.ts';
import { OocError } from '../../common/errors.ts';
import { candidatesFor, MAX_CANDIDATES } from '../candidates/candidates.ts';
import { NeighbourSearch } from '../inference/neighbours.ts';
import type { Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { optionalString } from './args.ts';
import { writeFigures } from './output.ts';

function formatCandidates(list: CandidateList): string {
  const info = STRATEGY_INFO[list.strategy];
  const out = [
    `${info.name} for caption ${list.captionId}: ${info.ranking}`,
    `  CTI_p ${list.ctiP === null ? 'unknown' : list.ctiP.toFixed(4)} (caption against its own image${list.inputs.clip ? `, ${list.inputs.clip}` : ''}); entities (${list.entities.from === 'ner' ? 'offline NER, an approximation of spaCy + REL' : 'NewsCLIPpings metadata'}): ${list.entities.entities.map((e) => `${e.text} (${e.kind})`).join(', ') || 'none'}`,
  ];
  if (list.missing !== null) return [...out, `  Cannot rank: ${list.missing}`].join('\n');
  const picked = list.candidates.find((c) => c.picked);
  out.push(picked ? `  Algorithm 1 picks image ${picked.imageId} (${list.pick === 'at-or-above' ? 'CTI_f at or above CTI_p' : 'no passing candidate reaches CTI_p: the best below'})` : '  Algorithm 1 picks none: no candidate passes every constraint');
  for (const m of list.datasetMatches) out.push(`  ${m.split}/${m.subset} chose image ${m.imageId}: ${m.rank === null ? `not among these ${list.candidates.length}` : `rank ${m.rank}`}`);
  out.push('', '  rank    image    score    CTI_f  constraints');
  list.candidates.forEach((c, i) => {
    const verdicts = Object.entries(c.constraints).map(([name, v]) => `${v.pass === true ? '✓' : v.pass === false ? '✗' : '?'} ${name} (${v.reason})`);
    out.push(`  ${String(i + 1).padStart(4)} ${String(c.imageId).padStart(8)} ${c.score.toFixed(4).padStart(8)} ${c.ctiF === null ? '      —' : c.ctiF.toFixed(4).padStart(8)}  ${c.picked ? '[picked] ' : ''}${verdicts.join('; ')}`);
    if (c.caption) out.push(`${' '.repeat(25)}${c.caption.length > 100 ? `${c.caption.slice(0, 99)}…` : c.caption}`);
  });
  return out.join('\n');
}

export const candidatesCommand: Command = {
  name: 'candidates',
  summary: 'out-of-context candidates for one caption, ranked by a NewsCLIPpings strategy, with its constraints and Algorithm 1\'s pick',
  usage: `ooc candidates --caption-id <id> --strategy ${STRATEGIES.join('|')}
               [-k <n>] [--model <id or set>] [--json <file>|-] [--db <file>]

  --strategy    how the other images are ranked, as the paper's four splits were built:
${STRATEGIES.map((s) => `                ${s}: ${STRATEGY_INFO[s].name}, ${STRATEGY_INFO[s].ranking}`).join('\n')}
  -k            candidates to rank (default 50, at most ${MAX_CANDIDATES})
  --model       the CLIP embeddings for CTI and the CLIP strategies: a model id, or
                newsclippings-clip for NewsCLIPpings' own (the default where imported)
  --json        write the result as JSON to a file (- for standard output)

Constraints: a different item, at least 30 days apart (from NewsCLIPpings' metadata; "unknown"
where no date is known), no named entity in common (Person: at least one PERSON in common, and
Places365 similarity below 0.9; Scene: no PERSON in either caption). Entities come from the
metadata when indexed, else from an offline English NER (an approximation of spaCy + REL).
Algorithm 1 picks the best-ranked candidate no constraint fails whose CLIP text-image
similarity (CTI_f) reaches the caption's with its own image (CTI_p), else the best below.`,
  options: { 'caption-id': { type: 'string' }, strategy: { type: 'string' }, k: { type: 'string', short: 'k' }, model: { type: 'string' }, json: { type: 'string' }, db: { type: 'string' } },
  async run(values) {
    const captionId = Number(optionalString(values, 'caption-id'));
    if (!Number.isSafeInteger(captionId)) throw new OocError('BAD_ARGUMENT', `--caption-id must be an item id (an integer), got ${String(values['caption-id'])}`);
    const strategy = optionalString(values, 'strategy');
    if (strategy === undefined || !(STRATEGIES as readonly string[]).includes(strategy)) throw new OocError('BAD_ARGUMENT', `--strategy must be one of ${STRATEGIES.join(', ')}${strategy === undefined ? '' : `, got "${strategy}"`}`);
    const k = Number(optionalString(values, 'k') ?? '50');
    if (!Number.isInteger(k) || k < 1 || k > MAX_CANDIDATES) throw new OocError('BAD_ARGUMENT', `-k must be an integer from 1 to ${MAX_CANDIDATES}`);
    const model = optionalString(values, 'model');
    const db = openCommandDatabase(values);
    const search = new NeighbourSearch(db);
    try {
      const list = await candidatesFor(db, search, { captionId, strategy: strategy as Strategy, k, ...(model === undefined ? {} : { model }) });
      writeFigures(values, list, formatCandidates(list));
      return 0;
    } finally {
      await search.release();
      db.close();
    }
  },
};
