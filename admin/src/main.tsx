import '@hall/client-kit/styles.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createAppI18n } from './i18n.ts';
import { ADMIN_NS } from './strings.ts';

const i18n = createAppI18n();
document.documentElement.lang = i18n.language;
document.title = i18n.t('title', { ns: ADMIN_NS });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
