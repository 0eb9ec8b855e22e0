import { expect, test } from './support/fixtures.ts';

test('the pair detail explains the caption against both images side by side, and says the bundled model means nothing', async ({ workbench, page }) => {
  await workbench.rows().nth(1).dblclick();
  const detail = workbench.detail();
  await detail.getByRole('button', { name: 'Explain' }).click();
  const pristine = detail.getByRole('figure', { name: 'Saliency of the pristine image' });
  await expect(pristine).toContainText(/score -?\d\.\d{4} · deletion AUC/);
  await expect(pristine.getByText('Protesters', { exact: true })).toBeVisible();
  // This pair's swapped-in image is a truncated JPEG: the reason is shown, not a broken map.
  await expect(detail.getByRole('figure', { name: 'Saliency of the falsified image' })).toContainText('cannot be decoded');
  await expect(detail).toContainText('tiny-random-clip has random weights: these maps mean nothing.');
  await detail.getByRole('combobox', { name: 'Colour map' }).selectOption('viridis');
  const download = page.waitForEvent('download');
  await detail.getByRole('figure', { name: 'Saliency of the pristine image' }).getByRole('button', { name: 'Save PNG' }).click();
  expect((await download).suggestedFilename()).toMatch(/^saliency-occlusion-caption\d+-image\d+\.png$/);
});
