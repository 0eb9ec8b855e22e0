import { defaultDatabasePath, thumbnailDir } from '../app-paths.ts';
import { checkImages } from '../images/check-job.ts';
import { thumbnailFor } from '../images/thumbnails.ts';
import { OocError } from '../../common/errors.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { commandDatabaseFile, openCommandDatabase, openForCommand } from './database.ts';
import { handleInterrupts } from './interrupt.ts';

export const checkImagesCommand: Command = {
  name: 'check-images',
  summary: 'check every indexed image: present, a real image by its bytes, complete, decodable',
  usage: `ooc check-images [--db <file>] [--recheck] [--json]

  --db       database file (default: ${defaultDatabasePath()})
  --recheck  check images already checked too (default: only new or changed ones)
  --json     print the summary as JSON

Results per image are kept in the database (ooc stats shows the counts). Statuses: ok, missing,
corrupt (empty, truncated or undecodable), unsupported (not an image), unreadable. A GIF or PNG
saved under a .jpg name is ok, with a note. An interrupted run continues where it stopped.`,
  options: { db: { type: 'string' }, recheck: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values) {
    const db = openCommandDatabase(values);
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'the image check');
    const tty = process.stderr.isTTY === true;
    try {
      const summary = await checkImages(db, {
        recheck: values.recheck === true,
        signal: controller.signal,
        onProgress: ({ done, total }) => {
          if (tty) process.stderr.write(`\rchecking images ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}\x1b[K`);
        },
      });
      if (tty) process.stderr.write('\n');
      if (values.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        const parts = Object.entries(summary.byStatus).map(([status, n]) => `${status} ${n}`);
        process.stdout.write(`Checked ${summary.checked} images in ${summary.seconds.toFixed(1)} s${parts.length > 0 ? `: ${parts.join(', ')}` : ' (all were checked before; --recheck to redo)'}.\n`);
      }
      return 0;
    } finally {
      stopHandling();
      db.close();
    }
  },
};

export const thumbnailCommand: Command = {
  name: 'thumbnail',
  summary: "make (or find) the cached thumbnail of an item's image and print its path",
  usage: `ooc thumbnail --id <item id> [--size 128|256|512] [--db <file>]`,
  options: { id: { type: 'string' }, size: { type: 'string' }, db: { type: 'string' } },
  async run(values) {
    const id = Number(requireString(values, 'id', 'thumbnail'));
    if (!Number.isSafeInteger(id)) throw new OocError('BAD_ARGUMENT', `--id must be an item id (an integer), got ${String(values.id)}`);
    const size = Number(optionalString(values, 'size') ?? '256');
    const dbFile = commandDatabaseFile(values);
    const db = openForCommand(dbFile);
    try {
      process.stdout.write(`${await thumbnailFor(db, thumbnailDir(dbFile), id, size)}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
