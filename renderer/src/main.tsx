import { askAhead, firstScreen } from './boot.ts';
import { start } from './start.tsx';
import './styles.css';

// The first render waits for the first screen's answers (sent with the page in browser mode), so
// that it shows them at once instead of rendering again as each comes; the page says "Loading…".
await firstScreen;
start(askAhead);
