import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
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

test('an analyst browses DGM4 manipulations: filters by class, sees the face box where the face is and the manipulated words, and the VisualNews original beside', async ({ workbench: _workbench, page }) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ooc-dgm4-'));
  try {
    const face = [40, 30, 120, 100];
    const records: Dgm4Record[] = [
      { id: 100, image: 'DGM4/origin/bbc/100.jpg', text: 'Protesters gather in Lisbon square', fake_cls: 'orig', fake_image_box: [] },
      { id: 101, image: 'DGM4/manipulation/HFGI/101-HFGI.jpg', text: 'British citizens wait for the result', fake_cls: 'face_attribute&text_attribute', fake_image_box: face, fake_text_pos: [0, 2], mtcnn_boxes: [face] },
      { id: 999, image: 'DGM4/origin/bbc/100.jpg', text: 'A caption whose words were swapped', fake_cls: 'text_swap', fake_image_box: [], fake_text_pos: [1] },
    ];
    await writeDgm4(root, { test: records }, { 'DGM4/origin/bbc/100.jpg': { width: 200, height: 150 }, 'DGM4/manipulation/HFGI/101-HFGI.jpg': { width: 200, height: 150, face } });
    await page.getByRole('button', { name: 'Dataset' }).click();
    await page.getByRole('textbox', { name: 'DGM4 folder' }).fill(root);
    await page.getByRole('button', { name: 'Index DGM4' }).click();
    await expect(page.getByRole('region', { name: 'DGM4' }).getByRole('status')).toContainText('3 samples');

    await page.getByRole('button', { name: 'Manipulations' }).click();
    const grid = page.getByRole('region', { name: 'DGM4 samples' });
    await expect(grid.getByRole('status')).toHaveText('1–3 of 3 samples');
    const filters = page.getByRole('complementary', { name: 'DGM4 filters' });
    await filters.getByRole('button', { name: /face attribute \+ text attribute/ }).click();
    await expect(grid.getByRole('status')).toHaveText('1–1 of 1 samples');
    await expect(page).toHaveURL(/view=manipulations.*dcls=face_attribute%26text_attribute/);
    await grid.getByRole('button', { name: /Sample 101/ }).click();

    const detail = page.getByRole('region', { name: 'DGM4 sample 101' });
    await expect(detail.locator('mark')).toHaveText(['British', 'wait']);
    await expect(detail.getByRole('figure', { name: 'The VisualNews original' })).toContainText('Protesters gather in Nairobi square number 1');
    // The box is drawn on the face: red on its edge, the face's colour inside, grey outside.
    const picture = detail.locator('.dgm4-picture');
    await expect(picture.locator('img')).toHaveJSProperty('complete', true);
    const box = (await picture.boundingBox())!;
    const shot = await sharp(await picture.screenshot()).raw().toBuffer({ resolveWithObject: true });
    const scale = shot.info.width / 200;
    const pixel = (x: number, y: number): number[] => {
      const at = (Math.round(y * scale) * shot.info.width + Math.round(x * scale)) * shot.info.channels;
      return [...shot.data.subarray(at, at + 3)];
    };
    expect(Math.abs(box.width / box.height - 200 / 150)).toBeLessThan(0.02);
    const [r, g, b] = pixel(80, face[1]!);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(90);
    expect(b).toBeLessThan(120);
    expect(pixel(80, 65)[0]).toBeGreaterThan(200); // the face (#f0c8a0) inside the box
    expect(pixel(80, 65)[2]).toBeGreaterThan(120);
    expect(pixel(170, 130)[0]).toBeLessThan(130); // grey background outside

    // A verdict by key, seen on the tile and counted in the filter; then one for every sample shown, confirmed.
    await page.keyboard.press('1');
    await expect(detail.getByRole('radio', { name: /confirmed manipulated/ })).toHaveAttribute('aria-checked', 'true');
    await expect(grid.getByRole('button', { name: /Sample 101/ })).toContainText('confirmed manipulated');
    await detail.getByRole('textbox', { name: 'Note' }).fill('the face is HFGI-edited');
    await detail.getByRole('textbox', { name: 'Add tag' }).fill('faces');
    await detail.getByRole('textbox', { name: 'Add tag' }).press('Enter');
    await expect(detail.getByRole('button', { name: 'Remove tag faces' })).toBeVisible();
    await expect(filters.getByRole('combobox', { name: 'Verdict filter' })).toContainText('confirmed manipulated (1)');
    // Esc leaves the tag box, a second Esc closes the sample.
    await page.keyboard.press('Escape');
    await expect(detail).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(detail).toBeHidden();
    await filters.getByRole('button', { name: 'any', exact: true }).click();
    await expect(grid.getByRole('status')).toHaveText('1–3 of 3 samples');
    const bulk = grid.getByRole('toolbar', { name: 'Edit several samples' });
    const bulkVerdict = bulk.getByRole('combobox', { name: 'Verdict for several samples' });
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toBe('Set "ambiguous" on 3 samples (every sample the filters match)?');
      void dialog.accept();
    });
    await bulkVerdict.selectOption('ambiguous');
    await bulk.getByRole('button', { name: 'Set verdict on 3 samples' }).click();
    await expect(filters.getByRole('combobox', { name: 'Verdict filter' })).toContainText('ambiguous (3)');

    // Two samples marked (the tile's box, and x on the open one): the next edit goes to them only.
    await grid.getByRole('checkbox', { name: 'Mark sample 101' }).check();
    await grid.getByRole('button', { name: /Sample 999/ }).click();
    await expect(page.getByRole('region', { name: 'DGM4 sample 999' })).toBeVisible();
    await page.keyboard.press('x');
    await expect(grid.getByRole('checkbox', { name: 'Mark sample 999' })).toBeChecked();
    await expect(bulk).toContainText('2 marked');
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toBe('Set "looks genuine" on 2 samples (the marked ones)?');
      void dialog.accept();
    });
    await bulkVerdict.selectOption('consistent');
    await bulk.getByRole('button', { name: 'Set verdict on 2 samples' }).click();
    await expect(filters.getByRole('combobox', { name: 'Verdict filter' })).toContainText('looks genuine (2)');
    await expect(filters.getByRole('combobox', { name: 'Verdict filter' })).toContainText('ambiguous (1)');
    await expect(bulk.getByRole('button', { name: /^Undo: / })).toBeEnabled();
    // Marks do not outlive the filters they were made under.
    await filters.getByRole('combobox', { name: 'Verdict filter' }).selectOption('ambiguous');
    await expect(grid.getByRole('status')).toHaveText('1–1 of 1 samples');
    await expect(bulk).toContainText('All 1 sample matching');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a researcher imports two detectors' DGM4 outputs and compares DGM4's metrics side by side, and per class", async ({ workbench: _workbench, page }) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ooc-dgm4-'));
  try {
    const image = 'DGM4/origin/bbc/shared.jpg';
    const records: Dgm4Record[] = [
      { id: 1, image, text: 'a real caption', fake_cls: 'orig', fake_image_box: [] },
      { id: 2, image, text: 'a changed face', fake_cls: 'face_swap', fake_image_box: [10, 10, 40, 40] },
      { id: 3, image, text: 'swapped words here', fake_cls: 'text_swap', fake_image_box: [], fake_text_pos: [1] },
    ];
    await writeDgm4(root, { test: records }, { [image]: { width: 64, height: 64 } });
    const good = path.join(root, 'good.jsonl');
    const poor = path.join(root, 'poor.json');
    writeFileSync(good, [
      { id: 1, prob: 0.1, pred_box: [], fake_text_pos: [] },
      { id: 2, prob: 0.9, pred_box: [10, 10, 40, 40], fake_text_pos: [] },
      { id: 3, prob: 0.8, pred_box: [], fake_text_pos: [1] },
    ].map((r) => JSON.stringify(r)).join('\n'));
    writeFileSync(poor, JSON.stringify([{ id: 1, prob: 0.7 }, { id: 2, prob: 0.6 }, { id: 3, prob: 0.2 }, { id: 9, prob: 0.5 }]));

    await page.getByRole('button', { name: 'Dataset' }).click();
    await page.getByRole('textbox', { name: 'DGM4 folder' }).fill(root);
    await page.getByRole('button', { name: 'Index DGM4' }).click();
    await expect(page.getByRole('region', { name: 'DGM4' }).getByRole('status')).toContainText('3 samples');

    await page.getByRole('button', { name: 'Evaluation' }).click();
    const card = page.getByRole('region', { name: 'DGM4 detectors' });
    for (const [file, name] of [[good, 'good'], [poor, 'poor']] as const) {
      await card.getByRole('textbox', { name: 'DGM4 predictions file' }).fill(file);
      await card.getByRole('textbox', { name: 'DGM4 run name' }).fill(name);
      await card.getByRole('button', { name: 'Import' }).click();
      await expect(card.getByRole('status')).toContainText(`Imported "${name}"`);
    }
    await expect(card.getByRole('status')).toContainText('3 of 4 rows matched; 1 unmatched (line');
    const table = card.getByRole('table', { name: 'DGM4 metrics', exact: true });
    // good: AUC, EER, ACC, three multi-label blanks, IoU 100 ×3, words P R F1 100.
    await expect(table.getByRole('row', { name: /^good/ }).getByRole('cell')).toHaveText(['100.00', '0.00', '100.00', '—', '—', '—', '100.00', '100.00', '100.00', '100.00', '100.00', '100.00']);
    // poor: the pristine sample (0.7) above both manipulated ones (0.6, 0.2): AUC 0, and one of three right.
    await expect(table.getByRole('row', { name: /^poor/ }).getByRole('cell')).toHaveText(['0.00', '100.00', '33.33', '—', '—', '—', '—', '—', '—', '—', '—', '—']);
    await expect(card.getByRole('table', { name: 'DGM4 metrics of good by class' }).getByRole('row')).toHaveCount(5);

    // Our saliency maps scored against the truth, beside random ones.
    const grounding = card.getByRole('group', { name: "Saliency against DGM4's truth" });
    await grounding.getByRole('button', { name: 'Score the maps' }).click();
    await expect(grounding).toContainText('2 manipulated samples of DGM4 test under tiny-random-clip, in percent — random weights: the maps mean nothing');
    const rows = grounding.getByRole('table', { name: 'Saliency grounding', exact: true }).getByRole('row');
    await expect(rows.nth(1)).toContainText(/^occlusion/);
    await expect(rows.nth(3)).toContainText(/^random/);
    // One face, one text: occlusion scores both; word deletion only the words.
    await expect(rows.nth(1).getByRole('cell').nth(3)).toHaveText('1');
    await expect(rows.nth(2).getByRole('cell').nth(3)).toHaveText('0');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
