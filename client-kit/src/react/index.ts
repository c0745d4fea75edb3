/** @hall/client-kit/react — provider, hooks and shared components. Import `@hall/client-kit/styles.css` once. */
export {
  HallProvider,
  useCan,
  useCommand,
  useCommandStatus,
  useConnection,
  useConnectionOptional,
  useCountdown,
  useHall,
  useHallOptional,
  useNotice,
  useServerNow,
  useView,
  useViewOptional,
  type CanResult,
  type HallProviderProps,
} from './context.tsx';
export { createI18n, refusalText, useKitTranslation } from './i18n.ts';
export { Countdown, type CountdownProps } from './components/Countdown.tsx';
export { TallyBars, type TallyBarsProps } from './components/TallyBars.tsx';
export { ResultPanel, type ResultPanelProps } from './components/ResultPanel.tsx';
export { SpeakerCard, type SpeakerCardProps } from './components/SpeakerCard.tsx';
export { QuorumMeter, type QuorumMeterProps } from './components/QuorumMeter.tsx';
export { ConnectionBanner, type ConnectionBannerProps } from './components/ConnectionBanner.tsx';
export { CommandStatusBadge, type CommandStatusBadgeProps } from './components/CommandStatusBadge.tsx';
export { LanguageSwitch, type LanguageSwitchProps } from './components/LanguageSwitch.tsx';
export { LoginForm, type LoginFormProps } from './components/LoginForm.tsx';
