import { expect, test } from './support/fixtures.ts';

const count = (label: string | null): number => Number(/, (\d+) pairs?$/.exec(label ?? '')![1]);

test('the overview lists the skipped records with their examples, checks images on request and links their failures to item pages', async ({ page, workbench, served }) => {
  await expect(workbench.total()).toHaveText(/pairs/);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Overview' }).click();
  const log = page.getByRole('table', { name: 'Skipped and flagged records' });
  const duplicate = log.getByRole('row').filter({ hasText: 'duplicate id' });
  await expect(duplicate.getByRole('cell')).toHaveText(['skipped', 'duplicate id', 'data.json', '1', /the record/]);
  await duplicate.getByText('the record').click();
  await expect(duplicate).toContainText('id 100 appears again; the first record with it is kept');
  const noId = log.getByRole('row').filter({ hasText: 'bad id' });
  await noId.getByText('the record').click();
  await expect(noId).toContainText(/record \d+, byte [\d,]+: "id" must be a non-negative integer, got/);

  await expect(page.getByText('No image has been checked yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Check every image' }).click();
  const images = page.getByRole('table', { name: 'Images that failed their check' });
  const missing = images.getByRole('row').filter({ hasText: /^missing/ });
  await expect(missing.getByRole('cell').nth(1)).toHaveText('1');
  await missing.getByText('all 1').click();
  await missing.getByRole('button', { name: `item ${served.missingImageId}` }).click();
  await expect(page.getByRole('region', { name: `Item ${served.missingImageId}` })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`view=items&.*item=${served.missingImageId}`));
});

test("a source's bar on the overview opens the pairs from that source, in place of any other filter", async ({ page, workbench }) => {
  const bbc = count(await workbench.facetValue('Source', 'bbc').getAttribute('aria-label'));
  await workbench.search().fill('osaka');
  await expect(page).toHaveURL(/q=osaka/);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Overview' }).click();
  await page.getByRole('button', { name: 'Show pairs from source bbc' }).click();
  await expect(page).toHaveURL(/source=bbc/);
  await expect(page).not.toHaveURL(/view=overview|q=osaka/);
  await expect(workbench.search()).toHaveValue('');
  await expect(workbench.total()).toHaveText(`${bbc} pairs`);

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Overview' }).click();
  await page.getByRole('button', { name: 'Show pairs on topic politics' }).click();
  await expect(page).toHaveURL(/topic=politics/);
  await expect(page).not.toHaveURL(/source=bbc/);
  await expect(workbench.facetValue('Topic', 'politics')).toHaveAttribute('aria-pressed', 'true');
});
