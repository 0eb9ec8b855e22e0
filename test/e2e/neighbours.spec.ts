import { expect, test } from './support/fixtures.ts';

test('neighbours: k is adjustable, the pair\'s own images are marked, and the caption can be explained on any neighbour', async ({ workbench, page }) => {
  await workbench.embedAll();

  await workbench.rows().nth(2).dblclick();
  const detail = workbench.detail();
  await detail.getByRole('combobox', { name: 'How many neighbours' }).selectOption('50');
  await detail.getByRole('button', { name: 'Find' }).click();
  const list = detail.getByRole('list', { name: 'Neighbours' });
  // 34 of the 36 images could be embedded (one is missing, one corrupt): all of them, best first.
  await expect(list.getByRole('listitem')).toHaveCount(34);
  await expect(list.getByText("this pair's pristine image")).toHaveCount(1);
  await expect(list.getByText("this pair's falsified image")).toHaveCount(1);

  // Within the pair's own split file: fewer images, its own two among them.
  const within = detail.getByRole('combobox', { name: 'Neighbours within' });
  const ownFile = within.locator('optgroup[label="Used by the split file"] option', { hasText: '(this pair’s)' });
  await within.selectOption((await ownFile.getAttribute('value'))!);
  await detail.getByRole('button', { name: 'Find' }).click();
  await expect(detail.getByText(/\d+ nearest by tiny-random-clip cosine within Merged \/ Balanced \/ test/)).toBeVisible();
  const inFile = await list.getByRole('listitem').count();
  expect(inFile).toBeGreaterThan(1);
  expect(inFile).toBeLessThan(34);
  await expect(list.getByText("this pair's pristine image")).toHaveCount(1);
  await expect(list.getByText("this pair's falsified image")).toHaveCount(1);
  // Within the pair's source: every neighbour is from it.
  const ownSource = within.locator('optgroup[label="Source"] option', { hasText: '(this pair’s)' });
  const source = (await ownSource.getAttribute('value'))!.slice('source:'.length);
  await within.selectOption(`source:${source}`);
  await detail.getByRole('button', { name: 'Find' }).click();
  await expect(detail.getByText(`within source ${source}`, { exact: false })).toBeVisible();
  const fromSource = list.getByRole('listitem');
  expect(await fromSource.count()).toBeGreaterThan(0);
  for (const li of await fromSource.all()) await expect(li).toContainText(` · ${source}`);
  await within.selectOption('');
  await detail.getByRole('button', { name: 'Find' }).click();
  await expect(list.getByRole('listitem')).toHaveCount(34);

  await list.getByRole('listitem').first().getByRole('button', { name: 'Explain the caption on this image' }).click();
  await expect(list.getByRole('figure', { name: /^The caption explained on image \d+$/ })).toContainText(/tiny-random-clip cosine -?\d\.\d{3}/);

  // A neighbour opens: its page lists the pairs that use it.
  const open = list.getByRole('listitem').nth(1).getByRole('button', { name: /^Open item \d+/ });
  const id = /Open item (\d+)/.exec((await open.getAttribute('aria-label'))!)![1];
  await open.click();
  await expect(page.getByRole('region', { name: `Item ${id}` })).toBeVisible();
});

test('neighbours: with an approximate index built from the Models view, a search says it used the index, and "exact" scores every vector', async ({ workbench, page }) => {
  await workbench.embedAll();
  await page.getByRole('button', { name: 'Models' }).click();
  const embeddings = page.getByRole('region', { name: 'Embeddings' });
  await expect(embeddings.getByTestId('ann-tiny-random-clip-image')).toHaveText('none');
  await embeddings.getByRole('button', { name: 'Build the approximate index of tiny-random-clip images' }).click();
  await expect(embeddings.getByTestId('ann-tiny-random-clip-image')).toHaveText('built');
  await expect(embeddings.getByTestId('ann-tiny-random-clip-text')).toHaveText('none');

  await page.getByRole('button', { name: 'Pairs' }).click();
  await workbench.rows().nth(2).dblclick();
  const detail = workbench.detail();
  const list = detail.getByRole('list', { name: 'Neighbours' });
  await detail.getByRole('combobox', { name: 'How many neighbours' }).selectOption('24');
  await detail.getByRole('button', { name: 'Find' }).click();
  await expect(detail.getByTestId('neighbour-method')).toHaveText('(approximate index, shortlist scored exactly)');
  const approximate = await list.getByRole('listitem').allInnerTexts();
  expect(approximate).toHaveLength(24);

  // Exact search (kept across reloads) scores every image: each neighbour the index gave is among
  // them with the same cosine (the graph may miss one, which is what "approximate" means).
  await detail.getByRole('checkbox', { name: 'exact' }).check();
  await detail.getByRole('combobox', { name: 'How many neighbours' }).selectOption('50');
  await detail.getByRole('button', { name: 'Find' }).click();
  await expect(detail.getByTestId('neighbour-method')).toHaveText('(exact search)');
  await expect(list.getByRole('listitem')).toHaveCount(34);
  const exact = await list.getByRole('listitem').allInnerTexts();
  for (const entry of approximate) expect(exact).toContain(entry);
  await page.reload();
  await workbench.rows().nth(2).dblclick();
  await expect(workbench.detail().getByRole('checkbox', { name: 'exact' })).toBeChecked();

  // Captions have no index: searching among them is exact.
  await workbench.detail().getByRole('checkbox', { name: 'exact' }).uncheck();
  await workbench.detail().getByRole('combobox', { name: 'Neighbours among' }).selectOption('caption');
  await workbench.detail().getByRole('button', { name: 'Find' }).click();
  await expect(workbench.detail().getByTestId('neighbour-method')).toHaveText('(exact search)');
});
