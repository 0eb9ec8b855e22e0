import { hasUnspacedScript, searchText } from '../../../common/search-text.ts';
import type { Migration } from './index.ts';

/**
 * Captions in scripts written without spaces (Chinese, Japanese, Thai …) are indexed a character
 * a token, so a search finds any substring (common/search-text.ts). Indexes built before hold
 * whole runs as one token: those rows are indexed again, live and staged tables alike. Only
 * captions with such characters are touched.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'unspaced-search',
  up(db) {
    const has = (name: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== undefined;
    for (const prefix of ['', 'stage_']) {
      if (!has(`${prefix}items`)) continue;
      const captions = db.prepare(`SELECT id, caption FROM ${prefix}items WHERE caption <> ''`).raw().iterate() as Iterable<[number, string]>;
      const unspaced = new Map<number, string>();
      for (const [id, caption] of captions) if (hasUnspacedScript(caption)) unspaced.set(id, caption);
      if (unspaced.size === 0) continue;
      // A contentless FTS5 row is deleted by giving the text it was indexed with.
      const reindex = (table: string, rows: Iterable<[number, string]>): void => {
        if (!has(`${prefix}${table}`)) return;
        const remove = db.prepare(`INSERT INTO ${prefix}${table} (${prefix}${table}, rowid, caption) VALUES ('delete', ?, ?)`);
        const add = db.prepare(`INSERT INTO ${prefix}${table} (rowid, caption) VALUES (?, ?)`);
        for (const [rowid, caption] of rows) {
          remove.run(rowid, caption);
          add.run(rowid, searchText(caption));
        }
      };
      reindex('items_fts', unspaced);
      if (has(`${prefix}pairs`)) {
        const pairs = db.prepare(`SELECT pair_id, caption_id FROM ${prefix}pairs`).raw().iterate() as Iterable<[number, number]>;
        const rows: [number, string][] = [];
        for (const [pairId, captionId] of pairs) {
          const caption = unspaced.get(captionId);
          if (caption !== undefined) rows.push([pairId, caption]);
        }
        reindex('pairs_fts', rows);
      }
    }
  },
};
