import { OocError } from '../../common/errors.ts';
import { exportDgm4, type Dgm4Selection } from '../dgm4/export-dgm4.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';

const KINDS = ['single', 'mixed', 'image', 'text'] as const;

export const exportDgm4Command: Command = {
  name: 'export-dgm4',
  summary: "write a selection of DGM4 samples in DGM4's metadata format (a JSON list, re-indexable)",
  usage: `ooc export-dgm4 --split <train|val|test> --out <file.json> [--class <fake_cls>] [--kind single|mixed|image|text] [--source <generator or outlet>] [--linked | --unlinked] [--q <words or id>] [--db <file>]

  --split     the DGM4 split (as indexed by ooc index --dgm4)
  --out       a new file to write (an existing file is never replaced)
  --class     one fake_cls value: orig, face_swap, face_attribute&text_swap, …
  --kind      single: one manipulation; mixed: image and text; image / text: any of that modality
  --source    the generator (HFGI, simswap, …) or the outlet of an untouched image (bbc, gardian, …)
  --linked    only samples whose VisualNews item is indexed (--unlinked: only those whose is not)
  --q         words in the text, or a sample id
  --db        database file (default: ${defaultDatabasePath()})

The records are written as the metadata file had them, in file order; a whole split comes back
byte for byte when its file was written by Python's json.dump.`,
  options: { db: { type: 'string' }, split: { type: 'string' }, out: { type: 'string' }, class: { type: 'string' }, kind: { type: 'string' }, source: { type: 'string' }, linked: { type: 'boolean' }, unlinked: { type: 'boolean' }, q: { type: 'string' } },
  run(values) {
    const kind = optionalString(values, 'kind');
    if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) throw new OocError('BAD_ARGUMENT', `--kind must be one of ${KINDS.join(', ')}, got "${kind}"`);
    if (values.linked === true && values.unlinked === true) throw new OocError('BAD_ARGUMENT', '--linked and --unlinked exclude each other');
    const selection: Dgm4Selection = { split: requireString(values, 'split', 'export-dgm4') };
    const cls = optionalString(values, 'class');
    const source = optionalString(values, 'source');
    const q = optionalString(values, 'q');
    if (cls !== undefined) selection.cls = cls;
    if (kind !== undefined) selection.kind = kind as Dgm4Selection['kind'] & string;
    if (source !== undefined) selection.source = source;
    if (q !== undefined) selection.q = q;
    if (values.linked === true || values.unlinked === true) selection.linked = values.linked === true;
    const db = openCommandDatabase(values);
    try {
      const { file, records } = exportDgm4(db, selection, requireString(values, 'out', 'export-dgm4'));
      process.stdout.write(`Wrote ${records.toLocaleString('en-US')} DGM4 records to ${file}\n`);
      return Promise.resolve(0);
    } finally {
      db.close();
    }
  },
};
