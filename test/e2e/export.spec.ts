import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './support/fixtures.ts';

test('the export dialog previews a stratified sample and writes it where asked', async ({ workbench, page, served }) => {
  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog.getByRole('table', { name: 'Export preview' })).toContainText('Total');
  await dialog.getByRole('checkbox', { name: 'Evaluation sample' }).check();
  await dialog.getByRole('spinbutton', { name: 'Pairs per stratum' }).fill('2');
  const preview = dialog.getByRole('table', { name: 'Export preview' });
  // Strata carry the paper's names; a stratum with fewer pairs than asked says so.
  await expect(preview.getByRole('row', { name: /Semantics \/ CLIP Text-Text 6 2 2 2/ })).toBeVisible();
  await expect(preview.getByRole('row', { name: /Scene \/ ResNet Place 6 2 2 2/ })).toBeVisible();
  await expect(preview.getByRole('row', { name: /Total 4 4 4/ })).toBeVisible();
  await dialog.getByRole('spinbutton', { name: 'Pairs per stratum' }).fill('10');
  await expect(preview.getByRole('row', { name: /Scene \/ ResNet Place 6 6 \(only 6 available\) 6 6/ })).toBeVisible();
  await dialog.getByRole('spinbutton', { name: 'Pairs per stratum' }).fill('2');
  await expect(preview.getByRole('row', { name: /Total 4 4 4/ })).toBeVisible();
  await expect(dialog).toContainText('image_path in pairs.jsonl and pairs.csv is the path inside your VisualNews folder');

  const dir = test.info().outputPath('sample');
  await dialog.getByRole('textbox', { name: 'Export folder' }).fill(dir);
  await dialog.getByRole('button', { name: 'Export 4 pairs' }).click();
  await expect(dialog.getByRole('status')).toContainText('Exported 4 pairs (8 rows');
  const file = JSON.parse(readFileSync(path.join(dir, 'news_clippings', 'data', 'merged_balanced', 'test.json'), 'utf8'));
  expect(file.annotations).toHaveLength(8);
  expect(existsSync(path.join(dir, 'manifest.json'))).toBe(true);

  await dialog.getByRole('button', { name: 'Export 4 pairs' }).click();
  await expect(dialog.getByRole('alert').or(dialog.getByRole('status'))).toContainText('already exists');
  // The error belongs to that attempt: it goes when the folder changes.
  await dialog.getByRole('textbox', { name: 'Export folder' }).fill(`${dir}-2`);
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await expect(dialog.getByRole('status')).toHaveCount(0);

  // Even with "replace", the dataset (or the database, or anything inside them) is never a target.
  await dialog.getByRole('checkbox', { name: /replace the folder/ }).check();
  await dialog.getByRole('textbox', { name: 'Export folder' }).fill(served.visualnewsDir);
  await dialog.getByRole('button', { name: 'Export 4 pairs' }).click();
  await expect(dialog.getByRole('alert').or(dialog.getByRole('status'))).toContainText('it is the VisualNews dataset folder');
  expect(existsSync(path.join(served.visualnewsDir, 'data.json'))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(workbench.total()).toHaveText('12 pairs');
});
