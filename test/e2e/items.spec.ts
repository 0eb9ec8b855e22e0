import { expect, test } from './support/fixtures.ts';

test("an item's page lists every pair using its caption or image across split files, and opens any of them", async ({ workbench, page }) => {
  // Pair 1 of Merged / Balanced test: caption 100, whose image Semantics / CLIP Text-Text val swaps in for caption 120.
  await workbench.rows().first().click();
  await page.keyboard.press('Enter');
  await workbench.detail().getByRole('button', { name: 'item 100' }).click();
  await expect(page).toHaveURL(/view=items&.*item=100/);
  const item = page.getByRole('region', { name: 'Item 100' });
  await expect(item).toContainText('3 uses in 2 split files.');
  const merged = item.getByRole('table', { name: 'Pairs in Merged / Balanced test' });
  await expect(merged.getByRole('row')).toHaveText([/as caption/, /as pristine image/]);
  const other = item.getByRole('table', { name: 'Pairs in Semantics / CLIP Text-Text val' });
  await expect(other.getByRole('row')).toHaveText([/as falsified image.*under caption 120/]);

  await other.getByRole('button', { name: /^Open pair/ }).click();
  await expect(workbench.detail()).toContainText('Protesters gather in Osaka square number 20');
  await expect(workbench.split()).toHaveValue('semantics_clip_text_text');
  // Back returns to the item page.
  await page.goBack();
  await expect(page.getByRole('region', { name: 'Item 100' })).toBeVisible();
});

test('a search across every caption finds captions in any split file (or none) and opens their pages', async ({ page, workbench }) => {
  await expect(workbench.total()).toHaveText(/pairs/);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Items' }).click();
  await page.getByRole('searchbox', { name: 'Search every caption' }).fill('lisbon');
  await page.keyboard.press('Enter');
  const hits = page.getByRole('list', { name: 'Captions found' }).getByRole('listitem');
  await expect(hits).toHaveCount(6);
  await expect(hits.filter({ hasText: 'number 30' })).toContainText('0 pairs');
  await hits.filter({ hasText: 'number 18' }).getByRole('button').click();
  const item = page.getByRole('region', { name: 'Item 118' });
  await expect(item).toContainText('1 use in 1 split file.');
  await expect(item.getByRole('img', { name: /unavailable: missing/ }).first()).toBeVisible();
  await expect(page).toHaveURL(/find=lisbon/);
});
