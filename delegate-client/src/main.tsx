import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@hall/client-kit/styles.css';
import './styles.css';
import { App } from './App.tsx';
import { i18n } from './i18n.ts';
import { ErrorBoundary } from './ui/ErrorBoundary.tsx';

const fallback = () => (
  <div className="page page--center" role="alert">
    <p className="loading">{i18n.t('error', { ns: 'dc' })}</p>
    <button type="button" className="btn btn--primary btn--xl" onClick={() => location.reload()}>
      {i18n.t('actions.reload', { ns: 'common' })}
    </button>
  </div>
);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary fallback={fallback}>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
