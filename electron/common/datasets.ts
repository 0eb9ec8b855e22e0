/**
 * The NewsCLIPpings splits and subsets, named as in the paper (Luo, Darrell, Rohrbach 2021).
 * Pure data: shared by the main process, the CLI and the renderer.
 */

export const SPLITS = [
  {
    folder: 'semantics_clip_text_image',
    name: 'Semantics / CLIP Text-Image',
    retrieval: 'CLIP caption–image similarity',
  },
  {
    folder: 'semantics_clip_text_text',
    name: 'Semantics / CLIP Text-Text',
    retrieval: 'CLIP caption–caption similarity',
  },
  {
    folder: 'person_sbert_text_text',
    name: 'Person / SBERT-WK Text-Text',
    retrieval: 'same PERSON entity, lowest SBERT-WK similarity',
  },
  {
    folder: 'scene_resnet_place',
    name: 'Scene / ResNet Place',
    retrieval: 'Places365 ResNet50 image similarity',
  },
  {
    folder: 'merged_balanced',
    name: 'Merged / Balanced',
    retrieval: 'equal parts of the four splits, captions and images disjoint',
  },
] as const;

export type SplitFolder = (typeof SPLITS)[number]['folder'];

export const SUBSETS = ['train', 'val', 'test'] as const;
export type Subset = (typeof SUBSETS)[number];

export function isSplitFolder(name: string): name is SplitFolder {
  return SPLITS.some((s) => s.folder === name);
}

export function isSubset(name: string): name is Subset {
  return (SUBSETS as readonly string[]).includes(name);
}

export function splitDisplayName(folder: string): string {
  return SPLITS.find((s) => s.folder === folder)?.name ?? folder;
}
