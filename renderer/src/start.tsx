import { options } from 'preact';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/App.tsx';
import type { ViewState } from './state/view-state.ts';

// The renderer runs on Preact (see renderer-bundle.ts), which renders a state change in a
// microtask. For a scroll that would lay out a scroll event's new rows inside the event, and a
// fling would drop to one frame in two or three: changes made while scrolling are rendered in a
// task of their own instead, as React's scheduler does. Any other change (a key, a click, typing,
// an answer) is rendered at once, so that the next key acts on what the last one did.
const SCROLLING = new Set(['scroll', 'wheel', 'touchmove']);
const channel = new MessageChannel();
let waiting: (() => void) | null = null;
channel.port1.onmessage = () => {
  const render = waiting;
  waiting = null;
  render?.();
};
options.debounceRendering = (render) => {
  if (!SCROLLING.has(window.event?.type ?? '')) return queueMicrotask(render);
  waiting = render;
  channel.port2.postMessage(null);
};

/** Renders the workbench; `onNewPairs` hears of each view state that shows other pairs. */
export function start(onNewPairs: (state: ViewState) => void): void {
  const root = document.getElementById('root');
  if (root) createRoot(root).render(<StrictMode><App onNewPairs={onNewPairs} /></StrictMode>);
}
