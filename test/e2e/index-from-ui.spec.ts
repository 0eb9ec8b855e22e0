import { expect, test } from './support/fixtures.ts';

test.use({ emptyDatabase: true });

test('on an empty database the workbench offers to index, shows progress, then browses the new index', async ({ workbench, page, served }) => {
  await expect(page.getByRole('heading', { name: 'No dataset indexed yet' })).toBeVisible();
  await page.getByRole('textbox', { name: 'VisualNews folder' }).fill(`${served.visualnewsDir}-typo`);
  await page.getByRole('button', { name: 'Index', exact: true }).click();
  // The VisualNews card's status (the DGM4 card beside it has its own).
  const status = page.getByRole('region', { name: 'Dataset', exact: true }).getByRole('status');
  await expect(status).toContainText('does not exist');

  await page.getByRole('textbox', { name: 'VisualNews folder' }).fill(served.visualnewsDir);
  await page.getByRole('textbox', { name: 'NewsCLIPpings folder' }).fill(served.clippingsDir);
  await page.getByRole('button', { name: 'Index', exact: true }).click();
  await expect(workbench.total()).toHaveText('12 pairs');
  await expect(workbench.rows().first()).toContainText('Protesters gather in Lisbon square number 0');

  await page.getByRole('button', { name: 'Dataset' }).click();
  await expect(page.getByRole('textbox', { name: 'VisualNews folder' })).toHaveValue(served.visualnewsDir);
  await page.getByRole('button', { name: 'Index again' }).click();
  await expect(status).toContainText('Already up to date');
});
