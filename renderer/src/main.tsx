import { askAhead, firstScreen } from './boot.ts';
import './styles.css';

// The first screen's calls go out as soon as this small module and boot.ts are in, while the
// workbench itself (its own chunk, fetched alongside: modulepreload) is still being compiled.
// The first render then waits for their answers, so that it shows them at once instead of
// rendering again as each comes (the page says "Loading…" meanwhile).
const [{ start }] = await Promise.all([import('./start.tsx'), firstScreen]);
start(askAhead);
