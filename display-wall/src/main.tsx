import '@hall/client-kit/styles.css';
import './styles/wall.css';
import './styles/live.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LiveApp } from './live/LiveApp.tsx';
import { modeOf } from './mode.ts';
import { createAppI18n } from './shared/i18n.ts';
import { WALL_NS } from './strings.ts';
import { WallApp } from './wall/WallApp.tsx';

const mode = modeOf(location.pathname);
const i18n = createAppI18n();
// Each stylesheet is scoped by this attribute: the wall sizes everything from the viewport, the public page does not.
document.documentElement.dataset.mode = mode;
document.documentElement.lang = i18n.language;
document.title = i18n.t(mode === 'wall' ? 'wallTitle' : 'liveTitle', { ns: WALL_NS });

createRoot(document.getElementById('root')!).render(
  <StrictMode>{mode === 'wall' ? <WallApp i18n={i18n} /> : <LiveApp i18n={i18n} />}</StrictMode>,
);
