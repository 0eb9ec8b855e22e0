import { expect, test } from './support/fixtures.ts';

test('the Jobs view lists every run as it is pushed: its state, how long it took, and why one failed', async ({ workbench, page }) => {
  await page.getByRole('button', { name: 'Jobs', exact: true }).click();
  const jobs = page.getByRole('region', { name: 'Jobs' });
  await expect(jobs).toContainText('No jobs yet');

  // A run that fails says why, here and in the Jobs view.
  await page.getByRole('button', { name: 'Dataset' }).click();
  await page.getByRole('textbox', { name: 'VisualNews folder' }).fill('/nowhere/at/all');
  await page.getByRole('button', { name: 'Index again' }).click();
  await expect(page.getByRole('region', { name: 'Dataset' }).getByRole('status')).toContainText('does not exist');

  // An embedding run, followed to its end without the page asking.
  await page.getByRole('button', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'Embed', exact: true }).click();
  await page.getByRole('button', { name: /^Jobs/ }).click();
  const embed = jobs.getByRole('row', { name: /^Embed images and captions/ });
  await expect(embed.getByText('done', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(embed.getByRole('cell').nth(3)).toHaveText(/^\d+ s$/);
  const failed = jobs.getByRole('row', { name: /^Index \/nowhere\/at\/all/ });
  await expect(failed.getByText('failed', { exact: true })).toBeVisible();
  await expect(failed).toContainText('does not exist');
  await expect(jobs.getByRole('row'), 'a header and two runs').toHaveCount(3);
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(workbench.page).toHaveURL(/view=jobs/);
});
