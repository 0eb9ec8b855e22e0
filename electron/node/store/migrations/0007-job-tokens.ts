import type { Migration } from './index.ts';

/** Each run of a job claims it with a token of its own, so two runs in one process cannot both claim it (store/jobs.ts). */
export const migration0007: Migration = {
  version: 7,
  name: 'job-tokens',
  up(db) {
    db.exec('ALTER TABLE jobs ADD COLUMN token TEXT');
  },
};
