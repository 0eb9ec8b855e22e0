// Builds the end-to-end corpus in the folder given and prints what the tests need as JSON.
import { writeImageCorpus } from '../../fixtures/image-corpus.ts';

// --large adds a split file of 360 pairs (Scene / ResNet Place train); --trainable, Semantics / CLIP Text-Text train and test;
// --photos draws photo-like images instead of plain colours.
const corpus = await writeImageCorpus(process.argv[2]!, { largeSplit: process.argv.includes('--large') ? 360 : 0, trainable: process.argv.includes('--trainable'), photos: process.argv.includes('--photos') });
process.stdout.write(`${JSON.stringify({ dbFile: corpus.dbFile, origin: corpus.origin, clippings: corpus.clippings, missingImageId: corpus.missingImageId, corruptImageId: corpus.corruptImageId })}\n`);
