import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDgm4, type Dgm4Record } from '../fixtures/dgm4.ts';
import { expect, test } from './support/fixtures.ts';

test('an analyst indexes DGM4 from the Dataset view, sees what was kept and skipped, and checks its texts for bias', async ({ workbench: _workbench, page }) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ooc-dgm4-'));
  try {
    const image = 'DGM4/origin/bbc/shared.jpg';
    const records: Dgm4Record[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ id: 100 + i, image, text: `the council met on day ${i}`, fake_cls: 'orig', fake_image_box: [] })),
      ...Array.from({ length: 8 }, (_, i) => ({ id: 200 + i, image, text: `the scandal grew on day ${i}`, fake_cls: 'text_swap', fake_image_box: [], fake_text_pos: [1] })),
      { id: 300, image, text: 'a face past the edge', fake_cls: 'face_swap', fake_image_box: [10, 10, 90, 40] },
    ];
    await writeDgm4(root, { test: records }, { [image]: { width: 64, height: 64 } });

    await page.getByRole('button', { name: 'Dataset' }).click();
    const card = page.getByRole('region', { name: 'DGM4' });
    await expect(card.getByRole('status')).toContainText('Not indexed yet');
    await card.getByRole('textbox', { name: 'DGM4 folder' }).fill(path.join(root, 'DGM4', 'origin'));
    await card.getByRole('button', { name: 'Index DGM4' }).click();
    await expect(card.getByRole('status')).toContainText('no DGM4/metadata/ folder in');
    await card.getByRole('textbox', { name: 'DGM4 folder' }).fill(root);
    await card.getByRole('button', { name: 'Index DGM4' }).click();
    // Ids 100–111 are VisualNews items of the served corpus; 200–207 are not.
    await expect(card.getByRole('status')).toContainText(`20 samples from ${root}: test 20. 12 have their VisualNews item indexed.`);
    await expect(card.getByRole('status')).toContainText('Skipped: 1 box outside image.');
    await expect(card.getByRole('button', { name: 'Index DGM4 again' })).toBeVisible();

    await page.getByRole('button', { name: 'Evaluation' }).click();
    const bias = page.getByRole('region', { name: 'Bias check: words' });
    await bias.getByRole('combobox', { name: 'Split for the token report' }).selectOption({ label: 'DGM4 test' });
    await expect(bias.getByRole('combobox', { name: 'Subset for the token report' })).toHaveCount(0);
    await bias.getByRole('button', { name: 'Count words' }).click();
    await expect(bias.getByTestId('token-summary')).toContainText('DGM4 test, the texts: 12 real rows');
    await expect(bias.getByRole('table', { name: 'leaning manipulated' }).getByRole('row', { name: /^scandal/ }).getByRole('cell')).toHaveText(['0', '8', /^-\d\.\d\d$/, /^\d/]);
    await expect(bias.locator('figure.chart svg')).toContainText('■ leans manipulated');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
