import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { PairPage } from '../../electron/common/pairs.ts';
import { expect, test } from './support/fixtures.ts';

/** The pairs of a split file, through the API the page itself uses (same cookie, same header). */
async function pairsOf(page: Page, split: string, subset: string): Promise<PairPage['items']> {
  return page.evaluate(
    async ({ split, subset }) => {
      const response = await fetch('/api/pairs.page', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-OOC-Request': '1' }, body: JSON.stringify({ split, subset, limit: 500 }) });
      return ((await response.json()) as { value: PairPage }).value.items;
    },
    { split, subset },
  );
}

test('an analyst imports a published predictions file, checks how it is read, and reads the table, the ROC curve and the problems', async ({ workbench }) => {
  const { page } = workbench;
  const pairs = await pairsOf(page, 'merged_balanced', 'test');
  expect(pairs.length).toBeGreaterThan(4);
  // CMIE's shape: every pristine row answered "No"; falsified rows "Yes", but the first two
  // answered wrongly, the third "I don't know". One stray row names no pair of the split.
  const rows = pairs.flatMap((p, i) => [
    { image_id: p.pristine!.imageId, article_id: p.captionId, falsified: false, prediction: 'No', explanation: 'consistent' },
    { image_id: p.falsified!.imageId, article_id: p.captionId, falsified: true, prediction: i < 2 ? 'No' : i === 2 ? "I don't know" : 'Yes', explanation: 'swapped' },
  ]);
  rows.push({ image_id: 999_999, article_id: pairs[0]!.captionId, falsified: true, prediction: 'Yes', explanation: 'stray' });
  const file = test.info().outputPath('4o-direct_testSplit.json');
  writeFileSync(file, JSON.stringify(rows, null, 4));
  const n = pairs.length;

  await page.getByRole('button', { name: 'Evaluation' }).click();
  await expect(page.getByRole('region', { name: 'Prediction runs' })).toContainText('No prediction runs yet');
  const form = page.getByRole('region', { name: 'Import predictions' });
  await form.getByRole('textbox', { name: 'Predictions file' }).fill(file);
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = form.getByLabel('How the file is read');
  await expect(preview).toContainText('caption id ← article_id');
  await expect(preview).toContainText('label ← prediction');
  await expect(preview).toContainText('split Merged / Balanced');
  await expect(preview).toContainText(`line 2: caption ${pairs[0]!.captionId}, image ${pairs[0]!.pristine!.imageId}: pristine`);

  await form.getByRole('textbox', { name: 'Run name' }).fill('gpt-4o direct');
  await form.getByRole('button', { name: 'Import' }).click();
  const runs = page.getByRole('region', { name: 'Prediction runs' });
  await expect(runs.getByRole('row', { name: /gpt-4o direct/ })).toContainText(`test ${2 * n}`);

  const run = page.getByRole('region', { name: 'Run gpt-4o direct' });
  const accuracy = run.getByRole('table', { name: 'Accuracy' });
  const pct = (x: number): string => (100 * x).toFixed(2);
  await expect(accuracy.getByRole('row', { name: /^All/ })).toContainText(pct((2 * n - 3) / (2 * n)));
  await expect(accuracy.getByRole('row', { name: /^Pristine/ })).toContainText('100.00');
  await expect(accuracy.getByRole('row', { name: /^Falsified/ })).toContainText(`${pct((n - 3) / n)}`);
  await expect(accuracy.getByRole('row', { name: /^Falsified/ })).toContainText(pct((n - 3) / (n - 1)));
  await expect(run.getByTestId('coverage')).toContainText('1 abstained · 1 row of the run not in the split');
  await expect(run.getByRole('table', { name: 'Confusion matrix' }).getByRole('row', { name: /^falsified/ }).getByRole('cell')).toHaveText(['2', String(n - 3), '1']);
  await run.getByText(/Rows not used as they stand: 1 unmatched/).click();
  await expect(run.getByRole('listitem').filter({ hasText: 'unmatched, line' })).toContainText('image 999999 is not a pair of merged_balanced');

  // A second run with probabilities: an ROC curve, saved as SVG.
  const csv = test.info().outputPath('clip-head.csv');
  writeFileSync(csv, ['caption_id,image_id,p_falsified', ...pairs.flatMap((p, i) => [`${p.captionId},${p.pristine!.imageId},${(0.1 + 0.02 * i).toFixed(2)}`, `${p.captionId},${p.falsified!.imageId},${(i === 0 ? 0.05 : 0.8).toFixed(2)}`])].join('\n'));
  await form.getByRole('textbox', { name: 'Predictions file' }).fill(csv);
  await form.getByRole('textbox', { name: 'Run name' }).fill('clip head');
  await form.getByRole('button', { name: 'Import' }).click();
  await runs.getByRole('button', { name: 'clip head' }).click();
  const head = page.getByRole('region', { name: 'Run clip head' });
  const roc = head.locator('figure.chart').filter({ hasText: 'ROC curve, AUC' });
  await expect(roc.locator('svg')).toBeVisible();
  // The scores by truth, the threshold marked (0.5: the head has no val rows); the legend is part of the drawing.
  const scores = head.locator('figure.chart').filter({ hasText: 'Scores by truth, dashed: the threshold' });
  await expect(scores.locator('svg')).toContainText('■ pristine■ falsified');
  await expect(form.getByLabel('How the file is read')).toHaveCount(0);
  // The two runs side by side, on the rows both answered.
  await runs.getByRole('checkbox', { name: 'Compare gpt-4o direct' }).check();
  await runs.getByRole('checkbox', { name: 'Compare clip head' }).check();
  const comparison = page.getByRole('region', { name: 'Comparison' });
  await expect(comparison).toContainText(`On the ${2 * n} rows every run answered`);
  // One ROC curve, the head's: the other run gave labels only.
  const curves = comparison.locator('figure.chart').filter({ hasText: '(runs of labels only have none)' });
  await expect(curves.locator('svg')).toContainText('■ clip head (AUC');
  await expect(comparison.getByRole('table', { name: "McNemar's test" }).getByRole('row', { name: /gpt-4o direct vs clip head/ })).toContainText('(exact)');

  const download = page.waitForEvent('download');
  await roc.getByRole('button', { name: 'SVG' }).click();
  expect((await download).suggestedFilename()).toBe('clip head-test-roc.svg');

  // Each pair's detail says what every run answered for its two rows, wrong answers marked.
  await page.getByRole('button', { name: 'Pairs' }).click();
  await expect(workbench.total()).toHaveText(`${n} pairs`);
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  const answers = workbench.detail().getByRole('table').filter({ hasText: 'gpt-4o direct' });
  await expect(answers.getByRole('row', { name: /gpt-4o direct/ }).getByRole('cell')).toHaveText(['pristineconsistent', 'pristineswapped']);
  await expect(answers.getByRole('row', { name: /gpt-4o direct/ }).getByRole('cell').nth(1)).toHaveClass(/wrong/);
  await expect(answers.getByRole('row', { name: /clip head/ }).getByRole('cell')).toHaveText(['p 0.10', 'p 0.05']);

  // From the sidebar: the pairs GPT-4o got wrong and the head right (the head has no val rows, so
  // its labels are at 0.5): the second and third; then those every run got wrong: the first.
  const outcome = page.getByRole('group', { name: 'Predictions' });
  await outcome.getByRole('combobox', { name: 'Run wrong on the pair' }).selectOption('gpt-4o direct');
  await outcome.getByRole('combobox', { name: 'Run right on the pair' }).selectOption('clip head');
  await expect(workbench.total()).toHaveText('2 pairs');
  await expect(workbench.rows()).toHaveCount(2);
  await expect(workbench.rows().first()).toContainText(pairs[1]!.caption);
  expect(page.url()).toContain('wrong=gpt-4o');
  await outcome.getByRole('combobox', { name: 'Run right on the pair' }).selectOption('');
  await outcome.getByRole('combobox', { name: 'Run wrong on the pair' }).selectOption({ label: 'every run' });
  await expect(workbench.total()).toHaveText('1 pair');
  await expect(workbench.rows().first()).toContainText(pairs[0]!.caption);
});
