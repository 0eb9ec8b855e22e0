import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/App.tsx';
import './styles.css';

const root = document.getElementById('root');
if (root) createRoot(root).render(<StrictMode><App /></StrictMode>);
