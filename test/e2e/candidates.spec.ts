import { expect, test } from './support/fixtures.ts';

test("candidates: from a pair, the paper's four strategies side by side, the dataset's own match ranked, one accepted into a custom split and browsed there", async ({ workbench, page }) => {
  await page.getByRole('button', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'Embed', exact: true }).click();
  await page.getByRole('button', { name: /^Jobs/ }).click();
  await expect(page.getByRole('region', { name: 'Jobs' }).getByText('done', { exact: true })).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Pairs' }).click();

  await workbench.rows().nth(2).dblclick();
  await workbench.detail().getByRole('button', { name: 'Candidates for this caption…' }).click();
  await expect(page).toHaveURL(/view=candidates.*caption=\d+/);
  const cti = page.getByRole('region', { name: 'CLIP Text-Image' });
  // Every embedded image ranked (34 of the 36: one is missing, one corrupt), so the split file's own choice has a rank.
  await page.getByRole('combobox', { name: 'Candidates per strategy' }).selectOption('50');
  await expect(cti.getByRole('listitem', { name: /^Candidate \d+: image \d+/ })).toHaveCount(34);
  await expect(cti.getByText(/merged_balanced\/test chose image \d+: rank \d+/)).toBeVisible();
  await expect(cti.locator('.candidate .badge.chosen', { hasText: 'merged_balanced/test' })).toHaveCount(1);
  await expect(cti.getByRole('listitem', { name: /Algorithm 1 picks it/ })).toHaveCount(1);
  await expect(cti.getByRole('listitem', { name: /^Candidate 1:/ }).getByRole('list', { name: 'Constraints' })).toContainText('another item');
  await expect(page.getByRole('region', { name: 'CLIP Text-Text' }).getByRole('listitem', { name: /^Candidate 1:/ })).toBeVisible();
  // Inputs a strategy lacks are named.
  await expect(page.getByRole('region', { name: 'Person / SBERT-WK Text-Text' })).toContainText('no SBERT-WK caption embeddings');
  await expect(page.getByRole('region', { name: 'Scene / ResNet Place' })).toContainText('no Places365 ResNet-50 image embeddings');

  // The caption explained against a candidate, beside its own image.
  await cti.getByRole('listitem', { name: /^Candidate 1:/ }).getByRole('button', { name: 'Explain the caption against it' }).click();
  await expect(page.getByRole('region', { name: 'Saliency of the caption against the candidate' })).toBeVisible();

  // Algorithm 1's pick accepted into a new custom split, then browsed like a paper split file.
  await page.getByRole('combobox', { name: 'Custom split name' }).fill('e2e-picks');
  const picked = cti.getByRole('listitem', { name: /Algorithm 1 picks it/ });
  const imageId = /image (\d+)/.exec((await picked.getAttribute('aria-label'))!)![1]!;
  await picked.getByRole('button', { name: 'Accept into the custom split' }).click();
  const status = page.getByRole('status').filter({ hasText: 'accepted for caption' });
  await expect(status).toContainText(`Image ${imageId} accepted`);
  await expect(status).toContainText('custom_e2e-picks/test');
  await expect(page.getByRole('list', { name: 'Custom splits' })).toContainText('custom_e2e-picks');
  await status.getByRole('button', { name: 'Browse custom_e2e-picks/test' }).click();
  await expect(page).toHaveURL(/split=custom_e2e-picks/);
  await expect(workbench.split()).toHaveValue('custom_e2e-picks');
  await expect(workbench.rows()).toHaveCount(1);
  await workbench.rows().first().dblclick();
  await expect(workbench.detail().getByRole('button', { name: `falsified image id ${imageId}` })).toBeVisible();
});
