import { expect, test } from './support/fixtures.ts';

test('the Models view embeds with the bundled model and says its scores are meaningless; the browser then sorts by them and finds neighbours', async ({ workbench, page }) => {
  await page.getByRole('button', { name: 'Models' }).click();
  await expect(page.getByRole('note')).toContainText('tiny-random-clip has random weights');
  await expect(page.getByTestId('providers-tiny-random-clip')).toContainText('image encoder on cpu');
  await expect(page.getByRole('region', { name: 'Embeddings' })).toContainText('No embeddings yet');

  await page.getByRole('button', { name: 'Embed', exact: true }).click();
  const embeddings = page.getByRole('region', { name: 'Embeddings' });
  await expect(embeddings.getByRole('row', { name: /tiny-random-clip images 34 94%/ })).toBeVisible({ timeout: 60_000 });
  await expect(embeddings.getByRole('row', { name: /tiny-random-clip captions 36 100%/ })).toBeVisible();
  await expect(embeddings.getByRole('row', { name: /tiny-random-clip 21 21 21 complete/ })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('1 missing image');

  await page.getByRole('button', { name: 'Pairs' }).click();
  const scoreBy = page.getByRole('combobox', { name: 'Score by' });
  await scoreBy.selectOption({ label: 'tiny-random-clip: caption–image (random weights: meaningless)' });
  await page.getByRole('combobox', { name: 'Sort' }).selectOption('score-desc');
  await expect(workbench.total()).toHaveText('12 pairs');
  // Each number is named: the split file's similarity and the model's cosine.
  await expect(workbench.rows().first()).toContainText(/file similarity \d\.\d{3}/);
  await expect(workbench.rows().first()).toContainText(/tiny-random-clip cosine -?\d\.\d{3}/);
  const scores = await workbench.rows().locator('.model-score').allInnerTexts();
  const falsified = scores.filter((_, i) => i % 2 === 1).map((s) => Number(s.split(' ').at(-1)) || -2);
  expect(falsified).toEqual([...falsified].sort((a, b) => b - a));
  expect(page.url()).toContain('by=tiny-random-clip');

  await workbench.rows().first().dblclick();
  const detail = workbench.detail();
  await expect(detail.getByRole('row', { name: /tiny-random-clip \(random\)/ })).toBeVisible();
  await detail.getByRole('combobox', { name: 'Neighbours among' }).selectOption('caption');
  await detail.getByRole('button', { name: 'Find' }).click();
  await expect(detail.getByRole('list', { name: 'Neighbours' }).getByRole('listitem')).toHaveCount(12);
  await expect(detail).toContainText('these neighbours are meaningless');
});
