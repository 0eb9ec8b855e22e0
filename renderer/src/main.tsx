import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { callEarly } from './api/client.ts';
import { App } from './features/App.tsx';
import { pageQuery, facetsQuery } from './features/PairBrowser.tsx';
import { parseViewState, queryOf } from './state/view-state.ts';
import './styles.css';

// What the first screen asks for, asked for at once rather than each after the one before.
const opening = parseViewState(window.location.search);
callEarly('app.info', {});
callEarly('overview.get', {});
if (opening.view === 'pairs') {
  callEarly('pairs.page', pageQuery(queryOf(opening)));
  callEarly('pairs.facets', facetsQuery(queryOf(opening)));
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
