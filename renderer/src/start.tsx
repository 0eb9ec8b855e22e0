import { options } from 'preact';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/App.tsx';
import type { ViewState } from './state/view-state.ts';

// The renderer runs on Preact (see renderer-bundle.ts), which renders a state change in a
// microtask: a scroll event's new rows would be laid out inside the event, and a fling would drop
// to one frame in two or three. State changes are rendered in a task of their own instead, one
// for all of those made together, as React's scheduler does.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => {
  for (const render of waiting.splice(0)) render();
};
options.debounceRendering = (render) => {
  if (waiting.push(render) === 1) channel.port2.postMessage(null);
};

/** Renders the workbench; `onNewPairs` hears of each view state that shows other pairs. */
export function start(onNewPairs: (state: ViewState) => void): void {
  const root = document.getElementById('root');
  if (root) createRoot(root).render(<StrictMode><App onNewPairs={onNewPairs} /></StrictMode>);
}
