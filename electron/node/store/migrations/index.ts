import type Database from 'better-sqlite3';
import { migration0001 } from './0001-initial.ts';
import { migration0002 } from './0002-embeddings.ts';
import { migration0003 } from './0003-pair-scores.ts';
import { migration0004 } from './0004-curation.ts';
import { migration0005 } from './0005-saliency.ts';
import { migration0006 } from './0006-unspaced-search.ts';
import { migration0007 } from './0007-job-tokens.ts';
import { migration0008 } from './0008-pairs-by-image.ts';
import { migration0009 } from './0009-prediction-runs.ts';
import { migration0010 } from './0010-image-hashes.ts';
import { migration0011 } from './0011-cases.ts';
import { migration0012 } from './0012-case-saliency.ts';
import { migration0013 } from './0013-dgm4-predictions.ts';
import { migration0014 } from './0014-dgm4-subwords.ts';
import { migration0015 } from './0015-item-entities.ts';
import { migration0016 } from './0016-custom-splits.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** Every migration, in order; migration N brings the schema to user_version N. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008, migration0009, migration0010, migration0011, migration0012, migration0013, migration0014, migration0015, migration0016];
