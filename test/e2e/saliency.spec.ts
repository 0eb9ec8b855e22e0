import { expect, test } from './support/fixtures.ts';

test('the pair detail explains the caption against both images side by side, and says the bundled model means nothing', async ({ workbench, page }) => {
  await workbench.rows().nth(1).dblclick();
  const detail = workbench.detail();
  await detail.getByRole('button', { name: 'Explain' }).click();
  const pristine = detail.getByRole('figure', { name: 'Saliency of the pristine image' });
  await expect(pristine).toContainText(/tiny-random-clip cosine -?\d\.\d{4} · deletion AUC/);
  await expect(pristine.getByText('Protesters', { exact: true })).toBeVisible();
  // This pair's swapped-in image is a truncated JPEG: the reason is shown, not a broken map.
  await expect(detail.getByRole('figure', { name: 'Saliency of the falsified image' })).toContainText('cannot be decoded');
  await expect(detail).toContainText('tiny-random-clip has random weights: these maps mean nothing.');
  await detail.getByRole('combobox', { name: 'Colour map' }).selectOption('viridis');
  const download = page.waitForEvent('download');
  await detail.getByRole('figure', { name: 'Saliency of the pristine image' }).getByRole('button', { name: 'Save PNG' }).click();
  expect((await download).suggestedFilename()).toMatch(/^saliency-occlusion-caption\d+-image\d+\.png$/);
});

test('saliency on an image that cannot be read shows the reason in a placeholder, and word deletion shows words, not a map', async ({ workbench }) => {
  await workbench.rows().nth(1).dblclick();
  const detail = workbench.detail();
  const falsified = detail.getByRole('figure', { name: 'Saliency of the falsified image' });
  // Before any explanation: the reason, not a broken-image icon.
  await expect(falsified.getByRole('img', { name: /^Falsified image \(saliency\) unavailable: corrupt: truncated JPEG/ })).toBeVisible();
  await detail.getByRole('combobox', { name: 'Saliency method' }).selectOption('words');
  await detail.getByRole('button', { name: 'Explain' }).click();
  const pristine = detail.getByRole('figure', { name: 'Saliency of the pristine image' });
  await expect(pristine).toContainText('word deletion draws no image map');
  await expect(pristine.getByText('Protesters', { exact: true })).toBeVisible();
  expect(await pristine.locator('img.heat').count()).toBe(0);
  await expect(pristine.getByRole('button', { name: 'Save PNG' })).toHaveCount(0);
  // The server's reason sits below the label, not over it.
  const error = falsified.getByRole('alert');
  await expect(error).toContainText('cannot be decoded');
  const [label, box] = [await falsified.getByText('falsified', { exact: true }).boundingBox(), await error.boundingBox()];
  expect(box!.y).toBeGreaterThanOrEqual(label!.y + label!.height - 1);
});
