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

  // The bias check names the split's unimodal heads beside its words.
  const bias = page.getByRole('region', { name: 'Bias check: words' });
  await bias.getByRole('combobox', { name: 'Split for the token report' }).selectOption({ label: 'Semantics / CLIP Text-Text' });
  await bias.getByRole('button', { name: 'Count words' }).click();
  await expect(bias.getByTestId('unimodal-heads')).toHaveText('Unimodal heads on Semantics / CLIP Text-Text: tiny-random-clip-semantics-logreg-text (caption only) 50.0% on val');
});

test('an analyst checks a split for bias: its captions cannot differ, the images\' own captions can, and a word opens the items that say it', async ({ workbench: _workbench, page }) => {
  await page.getByRole('button', { name: 'Evaluation' }).click();
  const card = page.getByRole('region', { name: 'Bias check: words' });
  await card.getByRole('combobox', { name: 'Split for the token report' }).selectOption({ label: 'Semantics / CLIP Text-Text' });
  await card.getByRole('combobox', { name: 'Subset for the token report' }).selectOption('train');
  await card.getByRole('button', { name: 'Count words' }).click();
  // Each caption is paired once with its own image and once with a swapped one.
  await expect(card.getByTestId('token-summary')).toContainText('Semantics / CLIP Text-Text train, the captions: 14 pristine rows');
  await expect(card.getByRole('status')).toContainText('No word can tell the two groups apart');
  await card.getByRole('button', { name: "Compare the images' own captions" }).click();
  await expect(card.getByTestId('token-summary')).toContainText("the images' own captions: 14 pristine rows");
  await expect(card.getByRole('combobox', { name: 'Texts compared' })).toHaveValue('image-caption');
  // Caption 110, in Chinese, is a pristine image's: the falsified images' captions say "protesters" once more.
  const falsified = card.getByRole('table', { name: 'leaning falsified' });
  await expect(falsified.getByRole('row', { name: /^protesters/ }).getByRole('cell')).toHaveText(['13', '14', /^-0\.\d\d$/, /^0\.\d+$/]);
  await expect(card.locator('figure.chart svg')).toContainText('■ leans falsified');
  await falsified.getByRole('button', { name: 'protesters' }).click();
  await expect(page).toHaveURL(/view=items.*find=protesters/);
});
