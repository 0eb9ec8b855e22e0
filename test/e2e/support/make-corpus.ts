// Builds the end-to-end corpus in the folder given and prints what the tests need as JSON.
import { writeImageCorpus } from '../../fixtures/image-corpus.ts';

const corpus = await writeImageCorpus(process.argv[2]!);
process.stdout.write(`${JSON.stringify({ dbFile: corpus.dbFile, origin: corpus.origin, clippings: corpus.clippings, missingImageId: corpus.missingImageId, corruptImageId: corpus.corruptImageId })}\n`);
