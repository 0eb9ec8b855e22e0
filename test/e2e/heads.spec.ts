import { expect, test } from './support/fixtures.ts';

test.use({ trainableCorpus: true });

test('an analyst embeds the corpus, trains a logistic-regression baseline and a caption-only head, and reads them as runs', async ({ workbench: _workbench, page }) => {
  await page.getByRole('button', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'Embed', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Embeddings' }).getByRole('row', { name: /tiny-random-clip captions \d+ 100%/ })).toBeVisible({ timeout: 60_000 });

  await page.getByRole('button', { name: 'Evaluation' }).click();
  const form = page.getByRole('region', { name: 'Train a baseline' });
  await expect(form.getByRole('combobox', { name: 'Embedding set' })).toHaveValue('tiny-random-clip');
  // Only splits with train, val and test files are offered.
  await expect(form.getByRole('combobox', { name: 'Split to train on' }).getByRole('option')).toHaveText(['Semantics / CLIP Text-Text']);
  await expect(form.getByRole('textbox', { name: 'Head name' })).toHaveValue('tiny-random-clip-semantics-logreg');
  await form.getByRole('button', { name: 'Train' }).click();

  const heads = form.getByRole('table', { name: 'Trained heads' });
  const head = heads.getByRole('row', { name: /tiny-random-clip-semantics-logreg/ });
  await expect(head).toContainText('Logistic regression');
  // Captions 100–113 with images 114–127: images 118 (missing) and 119 (truncated) have no vector.
  await expect(head).toContainText('26 train rows');
  await expect(head).toContainText('(2 without vectors)');
  const runs = page.getByRole('region', { name: 'Prediction runs' });
  await expect(runs.getByRole('row', { name: /tiny-random-clip-semantics-logreg/ })).toContainText('val 10, test 12');
  const run = page.getByRole('region', { name: 'Run tiny-random-clip-semantics-logreg' });
  await expect(run.getByRole('table', { name: 'Accuracy' })).toBeVisible();

  // A head that sees only the caption gives a caption's two rows one probability: exactly one is right.
  await form.getByRole('combobox', { name: 'What the head sees' }).selectOption({ label: 'caption only' });
  await expect(form.getByRole('textbox', { name: 'Head name' })).toHaveValue('tiny-random-clip-semantics-logreg-text');
  await form.getByRole('button', { name: 'Train' }).click();
  await expect(heads.getByRole('row', { name: /tiny-random-clip-semantics-logreg-text/ })).toContainText('caption only');
  const textOnly = page.getByRole('region', { name: 'Run tiny-random-clip-semantics-logreg-text' });
  await expect(textOnly.getByRole('table', { name: 'Accuracy' }).getByRole('row', { name: /^All/ })).toContainText('50.00');
});
