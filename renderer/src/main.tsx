import { askAhead, firstScreen } from './boot.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/App.tsx';
import './styles.css';

// The first render waits for the first screen's answers, so that it shows them at once instead
// of rendering again as each comes (the page says "Loading…" meanwhile).
await firstScreen;
const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App onNewPairs={askAhead} /></StrictMode>);
